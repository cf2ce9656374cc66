/**
 * Turns anything thrown while handling a request into the API's error body
 * `{ error: { code, message, fields? } }` and an HTTP status, through {@link ERROR_REGISTRY}.
 * Fastify's own client errors (content-type parser, body limit, schema validation) become 4xx
 * codes; anything unknown becomes 500 `INTERNAL_ERROR` with a generic message (the caller logs
 * the original with its stack).
 */

import type { FieldIssue } from '@city/errors';
import { ConflictError, NotFoundError } from '@city/ports';
import {
  type ApiErrorCode,
  ERROR_REGISTRY,
  FIELD_ISSUE_MESSAGES_JA,
  isApiErrorCode,
} from './error-registry.js';
import type { ApiLanguage } from './preferred-language.js';

/** The JSON error body. */
export interface ErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly fields?: readonly FieldIssue[];
  };
}

/** A fully resolved error answer. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
  /** Seconds for `Retry-After` (429 and 503). */
  readonly retryAfterSeconds?: number | undefined;
  /** True when the error was not recognised: log it as an error with its stack. */
  readonly unexpected: boolean;
}

const FASTIFY_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

const STATUS_CODES: Readonly<Record<number, ApiErrorCode>> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  fields?: unknown;
  retryAfterSeconds?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

function fieldsOf(value: unknown, language: ApiLanguage): FieldIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((f): f is FieldIssue => typeof f === 'object' && f !== null && typeof f.code === 'string')
    .map((f) => ({
      field: String(f.field),
      code: f.code,
      message: language === 'ja' ? (FIELD_ISSUE_MESSAGES_JA[f.code] ?? String(f.message)) : String(f.message),
    }));
}

/** Schema validation (params/querystring/headers): one field issue per ajv error. */
function validationFields(error: ErrorLike, language: ApiLanguage): FieldIssue[] {
  const part = typeof error.validationContext === 'string' ? error.validationContext : 'request';
  const issues = Array.isArray(error.validation) ? error.validation : [];
  return issues
    .slice(0, 20)
    .map((issue: { instancePath?: string; params?: { missingProperty?: string } }) => {
      const path =
        issue.params?.missingProperty ?? issue.instancePath?.replace(/^\//, '').replace(/\//g, '.');
      const code = issue.params?.missingProperty === undefined ? 'INVALID_FORMAT' : 'REQUIRED';
      return {
        field: path === undefined || path === '' ? part : path,
        code,
        message:
          language === 'ja'
            ? FIELD_ISSUE_MESSAGES_JA[code]!
            : code === 'REQUIRED'
              ? 'the field is required'
              : `invalid ${part} value`,
      };
    });
}

function codeOf(error: ErrorLike): { code: ApiErrorCode; known: boolean } {
  // A store conflict or miss that reached HTTP untranslated is a gap in a use case: answered
  // 409/404 with a generic message, but logged as unexpected so it gets mapped where it belongs.
  if (error instanceof ConflictError) return { code: 'CONFLICT', known: false };
  if (error instanceof NotFoundError) return { code: 'NOT_FOUND', known: false };
  if (isApiErrorCode(error.code)) return { code: error.code, known: true };
  if (Array.isArray(error.validation)) return { code: 'VALIDATION_FAILED', known: true };
  if (typeof error.code === 'string' && Object.hasOwn(FASTIFY_CODES, error.code)) {
    return { code: FASTIFY_CODES[error.code]!, known: true };
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: STATUS_CODES[status] ?? 'BAD_REQUEST', known: true };
  }
  return { code: 'INTERNAL_ERROR', known: false };
}

/**
 * Maps a thrown value to the status, body and Retry-After of the answer.
 *
 * @throws never
 * @example
 * ```ts
 * const { status, body } = toErrorResponse(new AuthError('TOKEN_EXPIRED'), 'ja');
 * // 401, { error: { code: 'TOKEN_EXPIRED', message: 'トークンの有効期限が切れています。' } }
 * ```
 */
export function toErrorResponse(thrown: unknown, language: ApiLanguage): ErrorResponse {
  const error: ErrorLike = typeof thrown === 'object' && thrown !== null ? (thrown as ErrorLike) : {};
  const { code, known } = codeOf(error);
  const entry = ERROR_REGISTRY[code];
  const fields =
    code === 'VALIDATION_FAILED'
      ? (fieldsOf(error.fields, language) ?? validationFields(error, language))
      : fieldsOf(error.fields, language);
  let retryAfterSeconds: number | undefined;
  if (entry.status === 429 || entry.status === 503) {
    const given = error.retryAfterSeconds;
    retryAfterSeconds =
      typeof given === 'number' && Number.isFinite(given) && given >= 0 ? Math.ceil(given) : 1;
  }
  const message = entry[language];
  return {
    status: entry.status,
    body: { error: fields === undefined ? { code, message } : { code, message, fields } },
    retryAfterSeconds,
    unexpected: !known,
  };
}
