/**
 * One definition per request contract: every route body documented in /openapi.json names
 * exactly the fields its use case reads, and documents as required exactly the fields the use
 * case answers REQUIRED for; a body the HTTP schema refuses gets the use case's own error.
 */
import { AuthError, type AuthService, type Principal } from '@city/registration-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openTestApp, registerAndLogin, type Session, type TestApp } from './helpers/test-app.js';

const OPERATOR = { operator: 'contract-test' };

let t: TestApp;
let session: Session;
let principal: Principal;
let auth: AuthService;
let clientSecret: string;
let paths: Record<
  string,
  Record<string, { requestBody?: { content: Record<string, { schema: BodySchema }> } }>
>;

interface BodySchema {
  readonly properties?: Record<string, unknown>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly { readonly required?: readonly string[] }[];
}

beforeAll(async () => {
  t = await openTestApp();
  auth = t.runtime.auth;
  session = await registerAndLogin(t.app);
  principal = await auth.authenticate(session.accessToken);
  clientSecret = (await auth.addServiceClient(OPERATOR, { client_id: 'contract-test' })).clientSecret;
  paths = json<{ paths: typeof paths }>(await t.app.inject({ method: 'GET', url: '/openapi.json' })).paths;
});
afterAll(async () => {
  await t?.close();
});

/** How a route hands its body to its use case. */
interface RouteUse {
  /** Calls the use case with the (recording) body. */
  readonly call: (body: Record<string, unknown>) => Promise<unknown>;
  /** Fields the path supplies to the use case (not in the body). */
  readonly fromPath?: readonly string[];
  /** Fields the route itself reads before calling the use case. */
  readonly readByRoute?: readonly string[];
}

const ROUTES: Record<string, RouteUse> = {
  'post /register': { call: (b) => auth.register(b) },
  'post /login/challenge': { call: (b) => auth.createLoginChallenge(b) },
  'post /login': { call: (b) => auth.login(b) },
  'post /token/refresh/challenge': { call: (b) => auth.createRefreshChallenge(b) },
  'post /token/refresh': { call: (b) => auth.refresh(b) },
  'post /token/revoke': { call: (b) => auth.revokeToken(b) },
  'post /token/introspect': {
    call: (b) => auth.introspect({ clientId: 'contract-test', clientSecret }, b),
    readByRoute: ['client_id', 'client_secret'],
  },
  'post /pairing-tokens': { call: (b) => auth.requestPairingToken(principal, b) },
  'post /devices': { call: (b) => auth.registerDeviceWithPairingToken(b) },
  'put /admin/users/{uuid}/status': {
    call: (b) => auth.setUserStatus(OPERATOR, b),
    fromPath: ['user_uuid', 'username'],
  },
  'put /admin/users/{uuid}/roles': { call: (b) => auth.setRoles(OPERATOR, b), fromPath: ['user_uuid'] },
  'post /registration': { call: (b) => auth.register(b), readByRoute: ['qr_code', 'client_cert_fp'] },
  'post /registration/': { call: (b) => auth.register(b), readByRoute: ['qr_code', 'client_cert_fp'] },
  // The original body is a login (a bearer token replaces it): the login reads it.
  'post /registration/request_pairing_token': { call: (b) => auth.login(b), readByRoute: ['device_label'] },
  'post /recover': { call: (b) => auth.recoverAccount(b) },
  'post /recovery-codes': { call: (b) => auth.regenerateRecoveryCodes(principal, b) },
  // Last: renewing with an empty body renews the session's own device.
  'post /devices/{id}/renew': {
    call: (b) => auth.renewDeviceCertificate(principal, b),
    fromPath: ['device_id'],
  },
  // After the renewal: resetting revokes every device of the target.
  'post /admin/users/{uuid}/reset-devices': {
    call: (b) => auth.resetDevices(OPERATOR, b),
    fromPath: ['user_uuid', 'username'],
  },
};

/** A body that records every field the code under test looks at. */
function recordingBody(target: Record<string, unknown>): {
  body: Record<string, unknown>;
  read: Set<string>;
} {
  const read = new Set<string>();
  const note = (key: string | symbol) => {
    if (typeof key === 'string') read.add(key);
  };
  const body = new Proxy(target, {
    get: (object, key, receiver) => {
      note(key);
      return Reflect.get(object, key, receiver);
    },
    has: (object, key) => {
      note(key);
      return Reflect.has(object, key);
    },
    getOwnPropertyDescriptor: (object, key) => {
      note(key);
      return Reflect.getOwnPropertyDescriptor(object, key);
    },
  });
  return { body, read };
}

/** Fields answered REQUIRED (or a credentials-required error) by the use case for `body`. */
async function requiredFieldsOf(use: RouteUse, body: Record<string, unknown>): Promise<string[]> {
  try {
    await use.call(body);
    return [];
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return (error.fields ?? []).filter((issue) => issue.code === 'REQUIRED').map((issue) => issue.field);
  }
}

function documentedBodies(): [string, BodySchema][] {
  const bodies: [string, BodySchema][] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      if (schema !== undefined) bodies.push([`${method} ${path}`, schema]);
    }
  }
  return bodies;
}

describe('documented request bodies and the use cases', () => {
  it('every documented body belongs to a route of this table, and every route of the table is documented', () => {
    const documented = documentedBodies().map(([route]) => route);
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it.each(Object.keys(ROUTES))(
    '%s: the documented fields are exactly the fields the use case reads',
    async (route) => {
      const use = ROUTES[route] as RouteUse;
      const schema = documentedBodies().find(([r]) => r === route)?.[1] as BodySchema;
      const target = Object.fromEntries((use.fromPath ?? []).slice(0, 1).map((f) => [f, session.uuid]));
      const { body, read } = recordingBody(target);
      await use.call(body).catch(() => undefined);
      const documented = Object.keys(schema.properties ?? {});
      expect([...new Set([...read, ...(use.readByRoute ?? [])])].sort()).toEqual(
        [...new Set([...documented, ...(use.fromPath ?? [])])].sort(),
      );
    },
  );

  it.each(Object.keys(ROUTES))(
    '%s: the documented required fields are exactly the ones the use case requires',
    async (route) => {
      const use = ROUTES[route] as RouteUse;
      const schema = documentedBodies().find(([r]) => r === route)?.[1] as BodySchema;
      const target = Object.fromEntries((use.fromPath ?? []).slice(0, 1).map((f) => [f, session.uuid]));
      const required = await requiredFieldsOf(use, target);
      // Of alternatives (identifier / username / uuid), the use case asks for the first.
      const documented = [...(schema.required ?? []), ...(schema.anyOf?.[0]?.required ?? [])];
      if (route === 'post /token/revoke') {
        // RFC 7009 §2.2: revocation answers every request alike; the token is still documented as required.
        expect(required).toEqual([]);
        expect(documented).toEqual(['token']);
      } else if (route === 'post /registration/request_pairing_token') {
        // A bearer token replaces the whole body; without one, the login requires its fields.
        expect(documented).toEqual([]);
        expect(required.sort()).toEqual(['identifier', 'password']);
      } else {
        expect(required.sort()).toEqual([...new Set(documented)].sort());
      }
    },
  );
});

describe('a body the schema refuses', () => {
  const refused: [string, string, Record<string, unknown>, (body: unknown) => Promise<unknown>][] = [
    ['POST', '/register', { username: 'alice', email: 42, extra: true }, (b) => auth.register(b)],
    ['POST', '/login', { identifier: ['alice'] }, (b) => auth.login(b)],
    ['POST', '/token/refresh', { refresh_token: 'x'.repeat(20_000) }, (b) => auth.refresh(b)],
    ['POST', '/login/challenge', { nonce: 'mine' }, (b) => auth.createLoginChallenge(b)],
    [
      'POST',
      '/devices',
      { pairing_token: 'A'.repeat(43), username: 'alice' },
      (b) => auth.registerDeviceWithPairingToken(b),
    ],
    [
      'POST',
      '/devices',
      { qr_code: { $gt: '' }, username: 'a', password: 'b' },
      (b) => auth.registerDeviceWithPairingToken(b),
    ],
  ];
  it.each(refused)('%s %s: the same answer as the use case gives', async (method, url, payload, call) => {
    const direct = await call(payload).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(direct).toBeInstanceOf(AuthError);
    const response = await t.app.inject({ method: method as 'POST', url, payload });
    const answer = json<{ error: { code: string; fields?: unknown[] } }>(response).error;
    expect(answer.code).toBe((direct as AuthError).code);
    expect(answer.fields?.map((f) => (f as { field: string; code: string }).field)).toEqual(
      (direct as AuthError).fields?.map((f) => f.field),
    );
    expect(answer.fields?.map((f) => (f as { code: string }).code)).toEqual(
      (direct as AuthError).fields?.map((f) => f.code),
    );
  });

  it('an undocumented field on a route whose path names the target is UNKNOWN_FIELD', async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: `/admin/users/${session.uuid}/status`,
      headers: { authorization: `Bearer ${session.accessToken}` },
      payload: { status: 'active', role: 'admin' },
    });
    expect(response.statusCode).toBe(422);
    expect(json(response)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', fields: [{ field: 'role', code: 'UNKNOWN_FIELD' }] },
    });
  });
});
