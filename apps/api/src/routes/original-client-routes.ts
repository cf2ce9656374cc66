/**
 * The original Flask service's routes, speaking its contract so its clients keep working:
 *
 * - `POST /registration/` registers a user (or, with `qr_code` + `username` + `password`, adds a
 *   second device through a pairing QR payload) and answers `200` with the original `success`,
 *   `uuid`, `client_cert` (Base64) and `message` next to the modern fields. The original body's
 *   `client_cert_fp` is ignored here: the server issues the certificate.
 * - `POST /registration/request_pairing_token` takes a bearer token (as `/pairing-tokens` does) or
 *   the original `{ username | uuid, password, client_cert_fp }` body, which is a login (the
 *   fingerprint proof when `CITY_FINGERPRINT_LOGIN=on`, or a signed challenge) whose session lasts
 *   only for this call. It answers with the original `qr_code` (the pairing QR payload).
 *
 * Every credential failure is the login's own (`INVALID_CREDENTIALS`, identical for each factor).
 * `POST /login` takes the original body through the core (a body with only `client_cert_fp` is a
 * fingerprint login).
 */
import {
  checkRequest,
  LoginInputSchema,
  PairedDeviceInputSchema,
  PairingTokenRequestInputSchema,
  RegisterInputSchema,
} from '@city/registration-core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import {
  ERROR_RESPONSES,
  PAIRED_DEVICE_RESULT_SCHEMA,
  PAIRING_TOKEN_SCHEMA,
  REGISTRATION_RESULT_SCHEMA,
} from '../route-schemas.js';
import { routeBody } from '../validator-compiler.js';
import type { RouteDeps } from './route-deps.js';

type Schema = Readonly<Record<string, unknown>>;

const REGISTERED_MESSAGE = 'User registered successfully';
const DEVICE_ADDED_MESSAGE = 'Device registered successfully';
const PAIRING_MESSAGE = 'Pairing token issued; show qr_code to the new device';

function propertiesOf(schema: Schema): Record<string, Schema> {
  return schema.properties as Record<string, Schema>;
}

const ORIGINAL_FIELDS = {
  success: { type: 'boolean', enum: [true] },
  uuid: { type: 'string' },
  client_cert: { type: 'string', description: 'Base64 of the certificate PEM (the original field)' },
  message: { type: 'string' },
};

/** The original answer plus every modern field of a registration or a paired device. */
const ORIGINAL_REGISTRATION_SCHEMA: Schema = {
  type: 'object',
  properties: {
    ...propertiesOf(REGISTRATION_RESULT_SCHEMA),
    ...propertiesOf(PAIRED_DEVICE_RESULT_SCHEMA),
    ...ORIGINAL_FIELDS,
  },
  required: ['success', 'uuid', 'client_cert', 'message', 'deviceId', 'certificatePem', 'fingerprint'],
  additionalProperties: false,
};

const ORIGINAL_PAIRING_SCHEMA: Schema = {
  type: 'object',
  properties: {
    ...propertiesOf(PAIRING_TOKEN_SCHEMA),
    success: ORIGINAL_FIELDS.success,
    message: ORIGINAL_FIELDS.message,
    qr_code: { type: 'string', description: 'the pairing QR payload (the original field)' },
  },
  required: ['token', 'expiresAt', 'qrPayload', 'qrSvg'],
  additionalProperties: false,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body without `client_cert_fp` (registration issues the certificate; the field is the original client's habit). */
function withoutFingerprint(body: unknown): unknown {
  if (!isPlainObject(body) || !Object.hasOwn(body, 'client_cert_fp')) return body;
  const { client_cert_fp: _ignored, ...rest } = body;
  return rest;
}

/** A body with `qr_code` adds a second device; any other is a registration. */
function isPairing(body: unknown): body is Record<string, unknown> {
  return isPlainObject(body) && Object.hasOwn(body, 'qr_code');
}

/**
 * The registration contract plus `qr_code` (a second device, redeemed by the pairing contract:
 * then `email` is not needed) and the ignored `client_cert_fp`. A refused body is answered by
 * the contract of the use case it goes to.
 */
const ORIGINAL_REGISTRATION_BODY = routeBody(
  Type.Object(
    {
      ...RegisterInputSchema.properties,
      email: Type.Optional(RegisterInputSchema.properties.email),
      qr_code: PairedDeviceInputSchema.properties.qr_code,
      client_cert_fp: Type.Optional(
        Type.String({
          maxLength: 256,
          description: 'ignored (the server issues the certificate)',
          nullable: true,
        }),
      ),
    },
    { additionalProperties: false, anyOf: [{ required: ['email'] }, { required: ['qr_code'] }] },
  ),
  (body) => {
    const rest = withoutFingerprint(body);
    checkRequest(isPairing(rest) ? PairedDeviceInputSchema : RegisterInputSchema, rest);
  },
);

/**
 * The login contract, every field optional (a bearer token replaces it), plus a device_label
 * for the device to be paired. A refused object body is answered by the login and pairing
 * token contracts; anything else goes to the route, which asks for a bearer token.
 */
const ORIGINAL_PAIRING_REQUEST_BODY = routeBody(
  Type.Partial(
    Type.Object({
      ...LoginInputSchema.properties,
      device_label: PairingTokenRequestInputSchema.properties.device_label,
    }),
    { additionalProperties: false },
  ),
  (body) => {
    if (!isPlainObject(body)) return;
    const { device_label: deviceLabel, ...credentials } = body;
    checkRequest(
      PairingTokenRequestInputSchema,
      deviceLabel === undefined ? undefined : { device_label: deviceLabel },
    );
    checkRequest(LoginInputSchema, credentials);
  },
);

/**
 * Registers `/registration`, `/registration/` and `/registration/request_pairing_token`.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await app.register(registerOriginalClientRoutes, deps);
 * ```
 */
export async function registerOriginalClientRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth, contextOf, authenticate, principalOf, credentialRateLimit } = deps;
  const limited = { rateLimit: credentialRateLimit };

  const registrationSchema = {
    tags: ['original clients'],
    summary:
      'The original registration: a new user, or with qr_code + username + password a second device; 200 with success, uuid, client_cert, message',
    description:
      'The /register fields (client_cert_fp is accepted and ignored), or qr_code + username + password (+ csr, key_algorithm, device_label) for a second device.',
    body: ORIGINAL_REGISTRATION_BODY,
    response: { 200: ORIGINAL_REGISTRATION_SCHEMA, ...ERROR_RESPONSES },
  };
  const register = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = withoutFingerprint(request.body);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (isPairing(body)) {
      const paired = await auth.registerDeviceWithPairingToken(body, contextOf(request));
      return reply.status(200).send({
        success: true,
        client_cert: paired.certificateBase64,
        message: DEVICE_ADDED_MESSAGE,
        ...paired,
      });
    }
    const registered = await auth.register(body, contextOf(request));
    return reply.status(200).send({
      success: true,
      client_cert: registered.certificateBase64,
      message: REGISTERED_MESSAGE,
      ...registered,
    });
  };
  for (const url of ['/registration', '/registration/']) {
    app.post(url, { schema: registrationSchema, config: limited }, register);
  }

  app.post(
    '/registration/request_pairing_token',
    {
      schema: {
        tags: ['original clients'],
        summary:
          'One-time pairing token and its QR code: with a bearer token (201), or the original { username | uuid, password, client_cert_fp } body (200, qr_code)',
        description:
          'Empty with a bearer token; otherwise a login body (fingerprint proof needs CITY_FINGERPRINT_LOGIN=on, or challenge_id + signature + device_id). device_label is optional either way.',
        body: ORIGINAL_PAIRING_REQUEST_BODY,
        response: { 200: ORIGINAL_PAIRING_SCHEMA, 201: ORIGINAL_PAIRING_SCHEMA, ...ERROR_RESPONSES },
      },
      config: limited,
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const qrSvgOf = (payload: string) =>
        QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      if (request.headers.authorization !== undefined || !isPlainObject(request.body)) {
        await authenticate(request);
        const result = await auth.requestPairingToken(principalOf(request), request.body, contextOf(request));
        return reply.status(201).send({ ...result, qrSvg: await qrSvgOf(result.qrPayload) });
      }
      const { device_label: deviceLabel, ...credentials } = request.body;
      const context = contextOf(request);
      const session = await auth.login(credentials, context);
      const principal = await auth.authenticate(session.accessToken);
      let result: Awaited<ReturnType<typeof auth.requestPairingToken>>;
      try {
        result = await auth.requestPairingToken(
          principal,
          deviceLabel === undefined ? undefined : { device_label: deviceLabel },
          context,
        );
      } finally {
        // The session existed only to authorise this one pairing token: it has ended before the answer.
        await auth.logout(principal, context);
      }
      return reply.status(200).send({
        success: true,
        message: PAIRING_MESSAGE,
        qr_code: result.qrPayload,
        ...result,
        qrSvg: await qrSvgOf(result.qrPayload),
      });
    },
  );
}
