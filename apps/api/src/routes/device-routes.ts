/**
 * Device routes: pairing tokens (the original `/registration/request_pairing_token` is in
 * original-client-routes), redeeming a pairing token for a new device, listing, revoking and
 * renewing devices. Ownership
 * is the core's job (resources are looked up under the principal; another user's device id is
 * `DEVICE_NOT_FOUND` → 404, never 403, so ids are not confirmed).
 */
import {
  PairedDeviceInputSchema,
  PairingTokenRequestInputSchema,
  RenewCertificateInputSchema,
} from '@city/registration-core';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { pairingLink, publicBaseUrlOf } from '../pairing-link.js';
import {
  BEARER,
  DEVICE_LIST_SCHEMA,
  DEVICE_SCHEMA,
  ERROR_RESPONSES,
  PAIRED_DEVICE_RESULT_SCHEMA,
  PAIRING_TOKEN_SCHEMA,
  RENEWED_CERTIFICATE_SCHEMA,
} from '../route-schemas.js';
import { wantsPage } from '../web-pages.js';
import type { RouteDeps } from './route-deps.js';

const DEVICE_ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
  required: ['id'],
};

/**
 * Registers the pairing and device routes.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await app.register(registerDeviceRoutes, deps);
 * ```
 */
export async function registerDeviceRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth, contextOf, authenticate, principalOf, credentialRateLimit, sendPage } = deps;

  const pairingSchema = {
    tags: ['devices'],
    summary: 'One-time pairing token (and its QR code) for adding a device',
    security: BEARER,
    description:
      'Empty or omitted, or a device_label for the device to be paired (carried in the QR payload; the device redeeming through it gets that label unless it sends its own).',
    body: PairingTokenRequestInputSchema,
    response: { 201: PAIRING_TOKEN_SCHEMA, ...ERROR_RESPONSES },
  };
  app.post('/pairing-tokens', { schema: pairingSchema, preHandler: authenticate }, async (request, reply) => {
    const result = await auth.requestPairingToken(principalOf(request), request.body, contextOf(request));
    // The picture is the https link, so a phone's camera opens /pair; qrPayload stays for the CLI.
    const pairingUrl = pairingLink(publicBaseUrlOf(request, deps.config), result.token, result.deviceLabel);
    const qrSvg = await QRCode.toString(pairingUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return reply.status(201).send({ ...result, pairingUrl, qrSvg });
  });

  app.post(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'Redeem a pairing token (plus username and password) for a new device certificate',
        description: 'Exactly one of pairing_token / qr_code.',
        body: PairedDeviceInputSchema,
        response: { 201: PAIRED_DEVICE_RESULT_SCHEMA, ...ERROR_RESPONSES },
      },
      config: { rateLimit: credentialRateLimit },
    },
    async (request, reply) => {
      const result = await auth.registerDeviceWithPairingToken(request.body, contextOf(request));
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary:
          "The caller's devices (a browser asking for text/html without a token gets the devices page)",
        security: BEARER,
        response: { 200: DEVICE_LIST_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (wantsPage(request)) return sendPage(reply, 'devices.html');
      await authenticate(request);
      return reply.send({ devices: await auth.listDevices(principalOf(request)) });
    },
  );

  app.delete<{ Params: { id: string }; Querystring: { confirm_last_device?: boolean } }>(
    '/devices/:id',
    {
      schema: {
        tags: ['devices'],
        summary:
          "Revoke one of the caller's devices (certificate to the CRL, its sessions revoked); the last active one only with confirm_last_device=true",
        security: BEARER,
        params: DEVICE_ID_PARAMS,
        querystring: {
          type: 'object',
          properties: {
            confirm_last_device: {
              type: 'boolean',
              description:
                "true to revoke the account's last active device (afterwards only an operator enrolment token adds a device)",
            },
          },
        },
        response: { 200: DEVICE_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) =>
      auth.revokeDevice(principalOf(request), request.params.id, contextOf(request), {
        confirmLastDevice: request.query.confirm_last_device === true,
      }),
  );

  app.post<{ Params: { id: string } }>(
    '/devices/:id/renew',
    {
      schema: {
        tags: ['devices'],
        summary: "New certificate for one of the caller's active devices; the old serial is revoked",
        security: BEARER,
        params: DEVICE_ID_PARAMS,
        description:
          "The body is optional; the path names the device (a body's device_id is replaced by it).",
        body: RenewCertificateInputSchema,
        response: { 200: RENEWED_CERTIFICATE_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) => {
      const body = request.body;
      // The path names the device; a body that is not an object is passed on for the core to refuse.
      const input =
        body === undefined || body === null
          ? { device_id: request.params.id }
          : typeof body === 'object' && !Array.isArray(body)
            ? { ...(body as Record<string, unknown>), device_id: request.params.id }
            : body;
      return auth.renewDeviceCertificate(principalOf(request), input, contextOf(request));
    },
  );
}
