/**
 * Answers an error from the one error registry: status, `{ error: { code, message, fields? } }`
 * in the caller's language, `Retry-After` for 429/503 and the `WWW-Authenticate` challenge of
 * RFC 6750 §3 / RFC 7617 §2 where the code calls for one. Used by the error handler, the
 * not-found handler and Fastify's router-level `frameworkErrors`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';
import { preferredLanguage } from './preferred-language.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code this request was answered with, for metrics. */
    errorCode: string | undefined;
  }
}

/**
 * Sends `error` as the API's error answer (and records its code on `request.errorCode`).
 *
 * @throws never
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
 * ```
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const language = preferredLanguage(request.headers['accept-language']);
  const response = toErrorResponse(error, language);
  if (response.unexpected) request.log.error({ err: error }, 'unexpected error');
  else if (response.status >= 500) request.log.warn({ err: error }, 'service unavailable');
  else request.log.info({ code: response.body.error.code }, 'request refused');
  if (response.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(response.retryAfterSeconds));
  const code = response.body.error.code;
  request.errorCode = code;
  if (code === 'SERVICE_CLIENT_INVALID') {
    reply.header('www-authenticate', 'Basic realm="city-chain-auth"');
  } else if (code === 'AUTHENTICATION_REQUIRED') {
    reply.header('www-authenticate', 'Bearer realm="city-chain-auth"');
  } else if (
    request.headers.authorization !== undefined &&
    (code === 'TOKEN_INVALID' || code === 'TOKEN_EXPIRED' || code === 'TOKEN_REVOKED')
  ) {
    reply.header('www-authenticate', 'Bearer realm="city-chain-auth", error="invalid_token"');
  }
  reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
}
