import { readFileSync } from 'node:fs';
import { ConflictError, NotFoundError, StoreUnavailableError } from '@city/ports';
import { AUTH_ERROR_CODES, AuthError, FIELD_ISSUE_CODES } from '@city/registration-core';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { ERROR_REGISTRY, FIELD_ISSUE_MESSAGES_JA } from '../src/error-registry.js';
import { toErrorResponse } from '../src/error-response.js';

const API_OWN = [
  'BAD_REQUEST',
  'HEADERS_TOO_LARGE',
  'NOT_FOUND',
  'CONFLICT',
  'METHOD_NOT_ALLOWED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'MALFORMED_JSON',
  'METRICS_UNAVAILABLE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
];

/** Rows `| \`CODE\` | status | en | ja |` of the README's error table. */
function readmeErrorTable(): Map<string, { status: number; en: string; ja: string }> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## mTLS'));
  const rows = new Map<string, { status: number; en: string; ja: string }>();
  for (const line of section.split('\n')) {
    // Cells may be padded (the formatter aligns the table columns).
    const cells = line
      .trim()
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const code = /^`([A-Z_]+)`$/.exec(cells[0] ?? '')?.[1];
    if (code !== undefined && cells.length === 4 && /^\d{3}$/.test(cells[1]!)) {
      rows.set(code, { status: Number(cells[1]), en: cells[2]!, ja: cells[3]! });
    }
  }
  return rows;
}

describe('error registry', () => {
  it.each(Object.keys(AUTH_ERROR_CODES))('maps the core code %s', (code) => {
    expect(ERROR_REGISTRY).toHaveProperty(code);
  });

  it('holds exactly the core codes plus the API codes', () => {
    expect(Object.keys(ERROR_REGISTRY).sort()).toEqual([...Object.keys(AUTH_ERROR_CODES), ...API_OWN].sort());
  });

  it('uses 4xx statuses for everything but INTERNAL_ERROR, STORE_UNAVAILABLE and METRICS_UNAVAILABLE', () => {
    const unavailable = new Set(['STORE_UNAVAILABLE', 'METRICS_UNAVAILABLE']);
    for (const [code, entry] of Object.entries(ERROR_REGISTRY)) {
      if (code === 'INTERNAL_ERROR') expect(entry.status).toBe(500);
      else if (unavailable.has(code)) expect(entry.status).toBe(503);
      else expect(entry.status, code).toBeGreaterThanOrEqual(400);
      if (code !== 'INTERNAL_ERROR' && !unavailable.has(code)) expect(entry.status, code).toBeLessThan(500);
      expect(entry.en).toMatch(/^[A-Z].*\.$/);
      expect(entry.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('has a Japanese message for every field issue code of the core', () => {
    expect(Object.keys(FIELD_ISSUE_MESSAGES_JA).sort()).toEqual(Object.keys(FIELD_ISSUE_CODES).sort());
  });

  it('is documented row for row in README.md', () => {
    const table = readmeErrorTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(ERROR_REGISTRY).sort());
    for (const [code, entry] of Object.entries(ERROR_REGISTRY)) {
      expect(table.get(code), code).toEqual({ status: entry.status, en: entry.en, ja: entry.ja });
    }
  });
});

describe('toErrorResponse', () => {
  it('answers a store ConflictError / NotFoundError a use case let through with 409 / 404, generic and flagged', () => {
    const conflict = toErrorResponse(new ConflictError('fingerprint', 'fingerprint claim abc taken'), 'en');
    expect(conflict).toMatchObject({
      status: 409,
      unexpected: true,
      body: { error: { code: 'CONFLICT', message: 'The request conflicts with the current state; retry.' } },
    });
    const missing = toErrorResponse(new NotFoundError('no active device 42'), 'ja');
    expect(missing).toMatchObject({
      status: 404,
      unexpected: true,
      body: { error: { code: 'NOT_FOUND', message: '指定されたリソースは存在しません。' } },
    });
    // The store's own message (record names, ids) never reaches the client.
    expect(JSON.stringify(conflict.body)).not.toContain('abc');
    expect(JSON.stringify(missing.body)).not.toContain('42');
  });

  it('answers a core error with its status and the localised message', () => {
    const en = toErrorResponse(new AuthError('TOKEN_EXPIRED'), 'en');
    const ja = toErrorResponse(new AuthError('TOKEN_EXPIRED'), 'ja');
    expect(en).toMatchObject({
      status: 401,
      unexpected: false,
      body: { error: { code: 'TOKEN_EXPIRED', message: 'The token has expired.' } },
    });
    expect(ja.body.error.message).toBe('トークンの有効期限が切れています。');
  });

  it('keeps field codes and localises field messages', () => {
    const error = new AuthError('VALIDATION_FAILED', undefined, {
      fields: [{ field: 'mynumber', code: 'CHECK_DIGIT_MISMATCH', message: 'check digit is wrong' }],
    });
    expect(toErrorResponse(error, 'en').body.error.fields).toEqual([
      { field: 'mynumber', code: 'CHECK_DIGIT_MISMATCH', message: 'check digit is wrong' },
    ]);
    expect(toErrorResponse(error, 'ja').body.error.fields).toEqual([
      { field: 'mynumber', code: 'CHECK_DIGIT_MISMATCH', message: 'チェックディジットが一致しません。' },
    ]);
  });

  it('gives Retry-After seconds for 429 and 503', () => {
    expect(toErrorResponse(new StoreUnavailableError(), 'en')).toMatchObject({
      status: 503,
      retryAfterSeconds: 5,
    });
    expect(
      toErrorResponse(new AuthError('ACCOUNT_LOCKED', undefined, { retryAfterSeconds: 29.2 }), 'en'),
    ).toMatchObject({
      status: 429,
      retryAfterSeconds: 30,
    });
    expect(toErrorResponse(new ApiError('RATE_LIMITED', 'x'), 'en').retryAfterSeconds).toBe(1);
    expect(toErrorResponse(new AuthError('TOKEN_INVALID'), 'en').retryAfterSeconds).toBeUndefined();
  });

  it('maps Fastify client errors to 4xx codes', () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, 413, 'BODY_TOO_LARGE'],
      [{ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }, 400, 'MALFORMED_JSON'],
      [{ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }, 400, 'MALFORMED_JSON'],
      [
        {
          code: 'FST_ERR_VALIDATION',
          statusCode: 400,
          validation: [{ instancePath: '/limit', params: {} }],
          validationContext: 'querystring',
        },
        422,
        'VALIDATION_FAILED',
      ],
      [{ code: 'SOMETHING_ELSE', statusCode: 431 }, 431, 'HEADERS_TOO_LARGE'],
      [{ code: 'SOMETHING_ELSE', statusCode: 418 }, 400, 'BAD_REQUEST'],
    ];
    for (const [error, status, code] of cases) {
      const response = toErrorResponse(Object.assign(new Error('x'), error), 'en');
      expect(response.status, code).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.unexpected).toBe(false);
    }
  });

  it('answers unknown errors with a generic 500 and flags them for the log', () => {
    for (const thrown of [new TypeError('secret detail'), 'a string', undefined, { code: 42 }]) {
      const response = toErrorResponse(thrown, 'en');
      expect(response).toMatchObject({ status: 500, unexpected: true });
      expect(response.body).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'An internal error occurred.' },
      });
    }
  });
});
