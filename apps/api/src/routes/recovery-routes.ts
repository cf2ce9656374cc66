/**
 * Account recovery routes: enrolling a new device with the password and a one-time recovery code
 * (public, rate limited like every credential route, every code failure answered as
 * INVALID_CREDENTIALS), and, from a logged-in device, regenerating the set or counting what is
 * left. Answers carry certificates, keys or codes: `Cache-Control: no-store` (the default).
 */
import { RecoverAccountInputSchema, RegenerateRecoveryCodesInputSchema } from '@city/registration-core';
import type { FastifyInstance } from 'fastify';
import {
  BEARER,
  ERROR_RESPONSES,
  RECOVERED_DEVICE_SCHEMA,
  RECOVERY_CODES_SCHEMA,
  RECOVERY_CODES_STATUS_SCHEMA,
} from '../route-schemas.js';
import type { RouteDeps } from './route-deps.js';

/**
 * Registers `POST /recover`, `POST /recovery-codes` and `GET /recovery-codes`.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await registerRecoveryRoutes(app, deps);
 * ```
 */
export async function registerRecoveryRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth, contextOf, authenticate, principalOf, credentialRateLimit } = deps;

  app.post(
    '/recover',
    {
      schema: {
        tags: ['recovery'],
        summary:
          'Enrol a new device with the password and one unused recovery code (for a user who lost their devices); revokes nothing',
        description:
          'The password AND a recovery code: the code stands in for the lost device, never for the password.',
        body: RecoverAccountInputSchema,
        response: { 201: RECOVERED_DEVICE_SCHEMA, ...ERROR_RESPONSES },
      },
      config: { rateLimit: credentialRateLimit },
    },
    async (request, reply) => {
      const result = await auth.recoverAccount(request.body, contextOf(request));
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/recovery-codes',
    {
      schema: {
        tags: ['recovery'],
        summary:
          "A new set of recovery codes for the caller's account (shown once); every old code stops working",
        security: BEARER,
        description: 'Empty or omitted.',
        body: RegenerateRecoveryCodesInputSchema,
        response: { 201: RECOVERY_CODES_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      const result = await auth.regenerateRecoveryCodes(
        principalOf(request),
        request.body,
        contextOf(request),
      );
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/recovery-codes',
    {
      schema: {
        tags: ['recovery'],
        summary: "How many of the caller's recovery codes are unused (never the codes)",
        security: BEARER,
        response: { 200: RECOVERY_CODES_STATUS_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) => auth.recoveryCodesStatus(principalOf(request)),
  );
}
