/**
 * Account and session routes: registration (the original `/registration/` is in
 * original-client-routes), login challenge and login (the original `{ uuid, password }` body is
 * accepted plus a device proof, or alone with `client_cert_fp` when fingerprint login is on),
 * token refresh with proof of possession of the device key, RFC 7009 revocation, logout and the caller's profile.
 */
import {
  IntrospectInputSchema,
  LoginChallengeInputSchema,
  LoginInputSchema,
  RefreshChallengeInputSchema,
  RefreshInputSchema,
  RegisterInputSchema,
  RevokeTokenInputSchema,
} from '@city/registration-core';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  BEARER,
  EMPTY_OBJECT_SCHEMA,
  ERROR_RESPONSES,
  INTROSPECTION_SCHEMA,
  LOGIN_CHALLENGE_SCHEMA,
  LOGIN_RESULT_SCHEMA,
  ME_SCHEMA,
  REGISTRATION_RESULT_SCHEMA,
  TOKEN_PAIR_SCHEMA,
} from '../route-schemas.js';
import { routeBody } from '../validator-compiler.js';
import type { RouteDeps } from './route-deps.js';
import { serviceCredentialsOf } from './service-credentials.js';

/**
 * The introspection contract plus RFC 7662's client credentials in the body. A body it refuses
 * still reaches the use case, which checks the service's credentials before the body, so a
 * caller that is not a registered service learns nothing from the answer.
 */
const INTROSPECTION_BODY = routeBody(
  Type.Object(
    {
      ...IntrospectInputSchema.properties,
      client_id: Type.Optional(Type.String({ maxLength: 64, description: 'instead of HTTP Basic' })),
      client_secret: Type.Optional(Type.String({ maxLength: 256, description: 'instead of HTTP Basic' })),
    },
    { additionalProperties: false },
  ),
  () => undefined,
);

/**
 * Registers the account and session routes.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await app.register(registerAuthRoutes, deps);
 * ```
 */
export async function registerAuthRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth, contextOf, authenticate, principalOf, credentialRateLimit } = deps;
  const limited = { rateLimit: credentialRateLimit };

  const registerSchema = {
    tags: ['account'],
    summary: 'Register a user and their first device (CSR, or a server-generated key returned once)',
    description: 'The legacy fields plus username; send a CSR to keep the private key on the device.',
    body: RegisterInputSchema,
    response: { 201: REGISTRATION_RESULT_SCHEMA, ...ERROR_RESPONSES },
  };
  app.post('/register', { schema: registerSchema, config: limited }, async (request, reply) => {
    const result = await auth.register(request.body, contextOf(request));
    return reply.status(201).send(result);
  });

  app.post(
    '/login/challenge',
    {
      schema: {
        tags: ['session'],
        summary: 'A single-use nonce for the device signature proof',
        description: 'The body is empty or omitted.',
        body: LoginChallengeInputSchema,
        response: { 200: LOGIN_CHALLENGE_SCHEMA, ...ERROR_RESPONSES },
      },
      config: limited,
    },
    async (request) => auth.createLoginChallenge(request.body, contextOf(request)),
  );

  app.post(
    '/login',
    {
      schema: {
        tags: ['session'],
        summary:
          'Password + device proof (signature over the challenge, mTLS, or opt-in fingerprint) → tokens',
        description: 'identifier (or username, or the legacy uuid) + password + proof.',
        body: LoginInputSchema,
        response: { 200: LOGIN_RESULT_SCHEMA, ...ERROR_RESPONSES },
      },
      config: limited,
    },
    async (request) => auth.login(request.body, contextOf(request)),
  );

  app.post(
    '/token/refresh/challenge',
    {
      schema: {
        tags: ['session'],
        summary: 'A single-use nonce for the refresh proof of possession (sign it with the device key)',
        description: 'The body is empty or omitted.',
        body: RefreshChallengeInputSchema,
        response: { 200: LOGIN_CHALLENGE_SCHEMA, ...ERROR_RESPONSES },
      },
      config: limited,
    },
    async (request) => auth.createRefreshChallenge(request.body, contextOf(request)),
  );

  app.post(
    '/token/refresh',
    {
      schema: {
        tags: ['session'],
        summary:
          'Rotate a refresh token with proof of possession of the device key (reuse detection, same-device retry grace)',
        description:
          'The current refresh token + a signature of a fresh refresh challenge with the device key (or, over mTLS, the device certificate instead of the signature fields).',
        body: RefreshInputSchema,
        response: { 200: TOKEN_PAIR_SCHEMA, ...ERROR_RESPONSES },
      },
      config: limited,
    },
    async (request) => auth.refresh(request.body, contextOf(request)),
  );

  // RFC 7009 allows form-encoded bodies: the form parser exists only in this encapsulated scope.
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody);
    scope.post(
      '/token/revoke',
      {
        schema: {
          tags: ['session'],
          summary: 'Revoke an access or refresh token (RFC 7009); always 200, no token oracle',
          description: 'JSON or application/x-www-form-urlencoded.',
          body: RevokeTokenInputSchema,
          response: { 200: EMPTY_OBJECT_SCHEMA, ...ERROR_RESPONSES },
        },
        config: limited,
      },
      async (request, reply) => {
        await auth.revokeToken(request.body, contextOf(request));
        return reply.header('cache-control', 'no-store').send({});
      },
    );

    scope.post(
      '/token/introspect',
      {
        schema: {
          tags: ['session'],
          summary:
            'Token introspection (RFC 7662) for a registered service: HTTP Basic client credentials (or client_id + client_secret in the body)',
          description: 'JSON or application/x-www-form-urlencoded.',
          body: INTROSPECTION_BODY,
          response: { 200: INTROSPECTION_SCHEMA, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { credentials, input } = serviceCredentialsOf(request.headers.authorization, request.body);
        const answer = await auth.introspect(credentials, input);
        return reply.header('cache-control', 'no-store').send(answer);
      },
    );
  });

  app.post(
    '/logout',
    {
      schema: {
        tags: ['session'],
        summary: 'Revoke the current access token and its session',
        security: BEARER,
        response: { 204: { description: 'logged out', type: 'null' }, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      await auth.logout(principalOf(request), contextOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: "The caller's profile (PII decrypted for the owner, My Number by its last 4 digits)",
        security: BEARER,
        response: { 200: ME_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      const me = await auth.me(principalOf(request));
      // A profile answered from the access cache is the same frozen object until the state
      // changes: it is serialised (by the route's response schema) once, not on every request.
      let json = serialisedProfiles.get(me);
      if (json === undefined) {
        json = reply.serialize(me);
        if (Object.isFrozen(me)) serialisedProfiles.set(me, json);
      }
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );
}

/** `GET /me` bodies by the profile object they were serialised from (entries go with the objects). */
const serialisedProfiles = new WeakMap<object, ReturnType<FastifyReply['serialize']>>();
