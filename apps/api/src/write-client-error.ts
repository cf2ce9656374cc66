/**
 * Answers the errors Node's HTTP parser raises before Fastify sees a request (RFC 9112 message
 * syntax, RFC 6585 §5 for 431): a malformed request line, bytes a request target may not contain,
 * header fields over the server's limit. The body has the API's error shape and code, so clients
 * never have to handle a second error format. Nothing of the request is echoed back.
 */
import type { Duplex } from 'node:stream';
import { ERROR_REGISTRY } from './error-registry.js';

/** Node's reason phrases for the statuses written here. */
const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Writes `{ error: { code, message } }` with 431 HEADERS_TOO_LARGE for oversized header fields and
 * 400 BAD_REQUEST for any other parse error, then closes the connection.
 *
 * @throws never
 * @example
 * ```ts
 * Fastify({ clientErrorHandler: (error, socket) => writeClientError(error, socket) });
 * ```
 */
export function writeClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A peer that went away cannot be answered.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
  const entry = ERROR_REGISTRY[code];
  const body = JSON.stringify({ error: { code, message: entry.en } });
  socket.end(
    `HTTP/1.1 ${entry.status} ${REASONS[entry.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      '\r\n' +
      body,
  );
}
