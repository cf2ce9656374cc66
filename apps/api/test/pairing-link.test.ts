/**
 * The pairing QR code of POST /pairing-tokens is a link to the pairing page on the service's public
 * address (`CITY_PUBLIC_BASE_URL`, else the address the browser used), so a phone's camera opens /pair
 * with the token filled in. The CLI keeps its `city-auth:pair?` payload.
 */
import QRCode from 'qrcode';
import { afterEach, describe, expect, it } from 'vitest';
import { pairingLink, publicBaseUrlOf } from '../src/pairing-link.js';
import { bearer, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface PairingAnswer {
  token: string;
  qrPayload: string;
  pairingUrl: string;
  qrSvg: string;
}

async function requestPairing(app: TestApp, headers: Record<string, string>, body: object = {}) {
  const session = await registerAndLogin(app.app);
  const response = await app.app.inject({
    method: 'POST',
    url: '/pairing-tokens',
    headers: { ...bearer(session.accessToken), ...headers },
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return json<PairingAnswer>(response);
}

describe('the pairing QR code links to /pair', () => {
  it('uses CITY_PUBLIC_BASE_URL, whatever Host the request named', async () => {
    t = await openTestApp({ CITY_PUBLIC_BASE_URL: 'https://auth.example.jp/city/' });
    const answer = await requestPairing(t, { host: 'evil.example' }, { device_label: 'Hanako phone' });
    const url = new URL(answer.pairingUrl);
    expect(url.origin).toBe('https://auth.example.jp');
    expect(url.pathname).toBe('/city/pair');
    expect(url.searchParams.get('token')).toBe(answer.token);
    expect(url.searchParams.get('label')).toBe('Hanako phone');
    // The picture is that link (same rendering as an independent call of the QR encoder).
    expect(answer.qrSvg).toBe(
      await QRCode.toString(answer.pairingUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    );
    // The CLI's payload is unchanged.
    expect(answer.qrPayload.startsWith('city-auth:pair?')).toBe(true);
    expect(new URLSearchParams(answer.qrPayload.split('?')[1]).get('token')).toBe(answer.token);
  });

  it('without a configured base URL, links to the address the browser used', async () => {
    t = await openTestApp();
    const answer = await requestPairing(t, { host: '192.168.1.20:3000' });
    expect(answer.pairingUrl).toBe(`http://192.168.1.20:3000/pair?token=${answer.token}`);
    expect(answer.qrSvg).toBe(
      await QRCode.toString(answer.pairingUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    );
  });

  it('a malformed Host falls back to the listening address', () => {
    const config = { publicBaseUrl: undefined, host: '0.0.0.0', port: 8080, tls: undefined };
    for (const host of ['a b', 'x/y', 'evil.example/@x', '', 'h:port']) {
      expect(publicBaseUrlOf({ protocol: 'http', host }, config)).toBe('http://localhost:8080');
    }
    expect(publicBaseUrlOf({ protocol: 'http', host: '[::1]:3000' }, config)).toBe('http://[::1]:3000');
    expect(publicBaseUrlOf({ protocol: 'http', host: 'bad host' }, { ...config, host: '::1' })).toBe(
      'http://[::1]:8080',
    );
  });

  it('pairingLink encodes the token and label as query parameters', () => {
    expect(pairingLink('https://a.example', 'tok_-1')).toBe('https://a.example/pair?token=tok_-1');
    expect(pairingLink('https://a.example', 't', '居間 & co')).toBe(
      'https://a.example/pair?token=t&label=%E5%B1%85%E9%96%93+%26+co',
    );
  });
});
