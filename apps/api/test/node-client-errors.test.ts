/**
 * Errors of Node's HTTP parser (raised before Fastify routes anything) answer in the API's error
 * shape with a code, over a raw TCP socket: a malformed request line, invalid UTF-8 bytes in the
 * path, header fields over Node's 16 KiB limit (431). A documented query value at its maximum
 * length stays far below that limit.
 */

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  grantRoles,
  json,
  openTestApp,
  refreshPayload,
  registerAndLogin,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await openTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await t?.close();
});

/** Sends raw bytes (requests must ask for Connection: close) and returns status, headers and parsed body of the one answer. */
function raw(bytes: Buffer | string): Promise<{ status: number; head: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = body;
      }
      resolve({ status, head, body: parsed });
    });
    // Not half-closed: the server closes after its answer (an error, or Connection: close).
    socket.write(bytes);
  });
}

describe('Node-level client errors', () => {
  it('a malformed request line is 400 BAD_REQUEST in the API shape', async () => {
    const answer = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.head).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'The request is malformed.' } });
  });

  it('invalid UTF-8 bytes in the path are 400 BAD_REQUEST in the API shape', async () => {
    const answer = await raw(
      Buffer.concat([
        Buffer.from('GET /devices/'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
      ]),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it('header fields over 16 KiB are 431 HEADERS_TOO_LARGE', async () => {
    const answer = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.body).toEqual({
      error: { code: 'HEADERS_TOO_LARGE', message: 'The request header fields are too large.' },
    });
  });

  it('the server keeps answering afterwards', async () => {
    const answer = await raw('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(200);
  });
});

describe('documented query limits stay below the header limit', () => {
  it('a cursor at its documented maximum is answered by the API, not refused by the parser', async () => {
    const admin = await registerAndLogin(t.app);
    await grantRoles(t.runtime, admin.uuid, ['admin']);
    const fresh = json<{ accessToken: string }>(
      await t.app.inject({
        method: 'POST',
        url: '/token/refresh',
        payload: await refreshPayload(t.app, admin.refreshToken, admin.privateKeyPem),
      }),
    );
    const spec = json<{
      paths: Record<string, { get: { parameters: { name: string; schema: { maxLength?: number } }[] } }>;
    }>(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    const maxLength = spec.paths['/admin/audit']?.get.parameters.find((p) => p.name === 'cursor')?.schema
      .maxLength;
    expect(maxLength).toBe(512);
    const cursor = 'A'.repeat(maxLength!);
    const answer = await raw(
      `GET /admin/audit?cursor=${cursor}&user_uuid=${'b'.repeat(64)} HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer(fresh.accessToken).authorization}\r\nConnection: close\r\n\r\n`,
    );
    // Well below 16 KiB, so the API answers (a forged cursor is refused with a code, never 431).
    expect(answer.status, answer.head).not.toBe(431);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body, answer.head).toMatchObject({ error: { code: expect.any(String) } });
    const tooLong = await t.app.inject({
      method: 'GET',
      url: `/admin/audit?cursor=${'A'.repeat(maxLength! + 1)}`,
      headers: bearer(fresh.accessToken),
    });
    expect(tooLong.statusCode).toBe(422);
    // The same forged cursor on a valid query reaches the store, which refuses it as input.
    for (const url of [`/admin/audit?cursor=${cursor}`, `/admin/users?cursor=${cursor}`]) {
      const forged = await t.app.inject({ method: 'GET', url, headers: bearer(fresh.accessToken) });
      expect(forged.statusCode, url).toBe(422);
      expect(json(forged), url).toMatchObject({
        error: { code: 'VALIDATION_FAILED', fields: [{ field: 'cursor', code: 'INVALID_FORMAT' }] },
      });
    }
  });
});
