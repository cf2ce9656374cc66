/**
 * Certificate delivery to the device's owner: the PEM of one of their device certificates, and a
 * PNG QR code of its reference (`city-auth:cert?v=1&uuid=..&device=..&fp=..`, the user, device and
 * fingerprint a second screen or a printed sheet needs; an ML-DSA certificate is several kilobytes,
 * more than a QR code holds). Another user's device id is 404 `DEVICE_NOT_FOUND`.
 */
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { BEARER, ERROR_RESPONSES } from '../route-schemas.js';
import type { RouteDeps } from './route-deps.js';

const DEVICE_ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
  required: ['id'],
};

/**
 * Registers `GET /devices/:id/certificate` and `GET /devices/:id/certificate/qr.png`.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await app.register(registerCertificateDeliveryRoutes, deps);
 * ```
 */
export async function registerCertificateDeliveryRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
): Promise<void> {
  const { auth, authenticate, principalOf } = deps;

  app.get<{ Params: { id: string } }>(
    '/devices/:id/certificate',
    {
      schema: {
        tags: ['devices'],
        summary: "Download one of the caller's device certificates (PEM)",
        security: BEARER,
        params: DEVICE_ID_PARAMS,
        response: {
          200: {
            description: 'the device certificate, PEM',
            content: { 'application/x-pem-file': { schema: { type: 'string' } } },
          },
          ...ERROR_RESPONSES,
        },
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      const result = await auth.deviceCertificate(principalOf(request), request.params.id);
      return reply
        .type('application/x-pem-file')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="device-${result.deviceId}.pem"`)
        .send(result.certificatePem);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/devices/:id/certificate/qr.png',
    {
      schema: {
        tags: ['devices'],
        summary:
          "A QR code (PNG) of one of the caller's device certificate references (uuid, device, fingerprint)",
        security: BEARER,
        params: DEVICE_ID_PARAMS,
        response: {
          200: {
            description: 'PNG image',
            content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
          },
          ...ERROR_RESPONSES,
        },
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      const result = await auth.deviceCertificate(principalOf(request), request.params.id);
      const png = await QRCode.toBuffer(result.qrPayload, {
        type: 'png',
        errorCorrectionLevel: 'M',
        margin: 2,
        scale: 6,
      });
      return reply.type('image/png').header('cache-control', 'no-store').send(png);
    },
  );
}
