/**
 * The one table from error code to HTTP status and localised message (RFC 9110 status
 * semantics; RFC 6585 for 429). Every code registration-core can throw (`AUTH_ERROR_CODES`,
 * including `STORE_UNAVAILABLE` from the ports) is here, plus the codes the HTTP layer produces
 * itself, plus `CONFLICT` / `NOT_FOUND` for a store `ConflictError` / `NotFoundError` that a use
 * case let through (a gap to fix there; answered 409/404, never 500). `test/error-registry.test.ts` fails when a core code is missing here, and when the
 * README's error table differs from this one.
 */
import type { AuthErrorCode } from '@city/registration-core';

/** Codes produced by the HTTP layer itself (routing, parsing, limits, unknown failures). */
export type ApiOwnErrorCode =
  | 'BAD_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'METHOD_NOT_ALLOWED'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MALFORMED_JSON'
  | 'RATE_LIMITED'
  | 'METRICS_UNAVAILABLE'
  | 'INTERNAL_ERROR';

/** Every code an API error body can carry. */
export type ApiErrorCode = AuthErrorCode | ApiOwnErrorCode;

/** How one code is answered. */
export interface ErrorRegistryEntry {
  readonly status: number;
  readonly en: string;
  readonly ja: string;
}

/**
 * Status and messages per code. Messages are deliberately generic where precision would help an
 * attacker (credentials, tokens, pairing): the precise reason is in the audit log.
 */
export const ERROR_REGISTRY: Readonly<Record<ApiErrorCode, ErrorRegistryEntry>> = {
  VALIDATION_FAILED: {
    status: 422,
    en: 'The input is invalid; see fields.',
    ja: '入力内容に誤りがあります。fields を確認してください。',
  },
  USERNAME_TAKEN: {
    status: 409,
    en: 'This username is already registered.',
    ja: 'このユーザー名は既に登録されています。',
  },
  EMAIL_TAKEN: {
    status: 409,
    en: 'This email address is already registered.',
    ja: 'このメールアドレスは既に登録されています。',
  },
  MYNUMBER_TAKEN: {
    status: 409,
    en: 'This My Number is already registered.',
    ja: 'この個人番号は既に登録されています。',
  },
  INVALID_CREDENTIALS: {
    status: 401,
    en: 'The credentials or the device proof are incorrect.',
    ja: '認証情報またはデバイス証明が正しくありません。',
  },
  ACCOUNT_LOCKED: {
    status: 429,
    en: 'Too many failed logins; try again later.',
    ja: 'ログインの失敗が多すぎます。しばらくしてから再試行してください。',
  },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    en: 'Too many failed attempts from this address; try again later.',
    ja: 'このアドレスからの失敗が多すぎます。しばらくしてから再試行してください。',
  },
  PROOF_MODE_DISABLED: {
    status: 400,
    en: 'This device proof mode is not enabled on this server; sign in with a signature instead: POST /login/challenge, sign its challenge with the device key, then send challenge_id, signature and device_id.',
    ja: 'このデバイス証明方式はこのサーバーでは有効になっていません。代わりに署名で証明してください: POST /login/challenge の challenge をデバイス鍵で署名し、challenge_id・signature・device_id を送信してください。',
  },
  CHALLENGE_INVALID: {
    status: 401,
    en: 'The login or refresh challenge is invalid, expired or used; request a new one.',
    ja: 'ログインまたはリフレッシュのチャレンジが無効、期限切れ、または使用済みです。新しいチャレンジを取得してください。',
  },
  CLIENT_CERTIFICATE_REQUIRED: {
    status: 401,
    en: 'A verified client certificate is required.',
    ja: '検証済みのクライアント証明書が必要です。',
  },
  AUTHENTICATION_REQUIRED: {
    status: 401,
    en: 'Authentication is required; send Authorization: Bearer with the access token from POST /login.',
    ja: '認証が必要です。POST /login で得たアクセストークンを Authorization: Bearer で送信してください。',
  },
  TOKEN_INVALID: {
    status: 401,
    en: 'The token is invalid.',
    ja: 'トークンが無効です。',
  },
  TOKEN_EXPIRED: {
    status: 401,
    en: 'The token has expired.',
    ja: 'トークンの有効期限が切れています。',
  },
  TOKEN_REVOKED: {
    status: 401,
    en: 'The token has been revoked.',
    ja: 'トークンは失効しています。',
  },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    en: 'The refresh token was already used; the session has been revoked.',
    ja: 'リフレッシュトークンは使用済みです。セッションは失効しました。',
  },
  PAIRING_CREDENTIALS_REQUIRED: {
    status: 422,
    en: 'Username and password are required with a pairing token.',
    ja: 'ペアリングトークンにはユーザー名とパスワードが必要です。',
  },
  PAIRING_TOKEN_INVALID: {
    status: 400,
    en: 'The pairing token is invalid.',
    ja: 'ペアリングトークンが無効です。',
  },
  PAIRING_TOKEN_EXPIRED: {
    status: 410,
    en: 'The pairing token has expired; request a new one.',
    ja: 'ペアリングトークンの有効期限が切れています。新しいトークンを発行してください。',
  },
  PAIRING_TOKEN_USED: {
    status: 410,
    en: 'The pairing token has already been used.',
    ja: 'ペアリングトークンは既に使用されています。',
  },
  DEVICE_NOT_FOUND: {
    status: 404,
    en: 'No such device.',
    ja: 'デバイスが見つかりません。',
  },
  LAST_DEVICE_CONFIRMATION_REQUIRED: {
    status: 409,
    en: 'This is your last active device: revoking it leaves no way to log in. Confirm to revoke it anyway; afterwards a recovery code with your password (POST /recover, city recover) or an enrolment token from the operator (city admin reset-devices) adds a device.',
    ja: 'これは最後の有効な端末です。失効させるとログインできなくなります。それでも失効させる場合は確認してください。その後はリカバリーコードとパスワード (POST /recover、city recover) または運用者が発行する登録トークン (city admin reset-devices) で端末を追加できます。',
  },
  CERTIFICATE_REQUEST_INVALID: {
    status: 422,
    en: 'The certificate signing request is invalid.',
    ja: '証明書署名要求 (CSR) が無効です。',
  },
  KEY_ALGORITHM_UNSUPPORTED: {
    status: 422,
    en: 'The key algorithm is not supported.',
    ja: 'この鍵アルゴリズムはサポートされていません。',
  },
  USER_NOT_FOUND: {
    status: 404,
    en: 'No such user.',
    ja: 'ユーザーが見つかりません。',
  },
  FORBIDDEN: {
    status: 403,
    en: 'You do not have permission for this operation.',
    ja: 'この操作を行う権限がありません。',
  },
  CONCURRENT_UPDATE: {
    status: 409,
    en: 'The record changed concurrently; retry.',
    ja: 'データが同時に更新されました。再試行してください。',
  },
  SERVICE_CLIENT_INVALID: {
    status: 401,
    en: 'The service client credentials are incorrect.',
    ja: 'サービスクライアントの認証情報が正しくありません。',
  },
  SERVICE_CLIENT_EXISTS: {
    status: 409,
    en: 'A service with this client id is already registered.',
    ja: 'このクライアント ID のサービスは既に登録されています。',
  },
  SERVICE_CLIENT_NOT_FOUND: {
    status: 404,
    en: 'No service with this client id is registered.',
    ja: 'このクライアント ID のサービスは登録されていません。',
  },
  SERVICE_CLIENTS_UNSUPPORTED: {
    status: 400,
    en: 'This deployment does not keep service clients.',
    ja: 'この構成ではサービスクライアントを登録できません。',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    en: 'The service is temporarily unavailable; try again later.',
    ja: 'サービスが一時的に利用できません。しばらくしてから再試行してください。',
  },
  BAD_REQUEST: {
    status: 400,
    en: 'The request is malformed.',
    ja: 'リクエストの形式が正しくありません。',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    en: 'The request header fields are too large.',
    ja: 'リクエストヘッダーが大きすぎます。',
  },
  // Also the safety net for a store's NotFoundError that a use case did not translate.
  NOT_FOUND: {
    status: 404,
    en: 'The requested resource does not exist.',
    ja: '指定されたリソースは存在しません。',
  },
  // The safety net for a store's ConflictError that a use case did not translate.
  CONFLICT: {
    status: 409,
    en: 'The request conflicts with the current state; retry.',
    ja: 'リクエストが現在の状態と競合しています。再試行してください。',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    en: 'This method is not allowed on this route.',
    ja: 'このパスではこのメソッドは使用できません。',
  },
  BODY_TOO_LARGE: {
    status: 413,
    en: 'The request body is too large.',
    ja: 'リクエスト本文が大きすぎます。',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    en: 'This content type is not supported here; send the body as application/json.',
    ja: 'このコンテンツタイプはここではサポートされていません。本文は application/json で送信してください。',
  },
  MALFORMED_JSON: {
    status: 400,
    en: 'The request body is not valid JSON.',
    ja: 'リクエスト本文が正しい JSON ではありません。',
  },
  RATE_LIMITED: {
    status: 429,
    en: 'Too many requests; try again later.',
    ja: 'リクエストが多すぎます。しばらくしてから再試行してください。',
  },
  METRICS_UNAVAILABLE: {
    status: 503,
    en: 'The metrics of every worker could not be collected; try again later.',
    ja: 'すべてのワーカーのメトリクスを収集できませんでした。しばらくしてから再試行してください。',
  },
  INTERNAL_ERROR: {
    status: 500,
    en: 'An internal error occurred.',
    ja: '内部エラーが発生しました。',
  },
};

/**
 * Japanese messages for the field issue codes inside `VALIDATION_FAILED` (registration-core's
 * `FIELD_ISSUE_CODES`); the English message from the core is kept for English clients.
 */
export const FIELD_ISSUE_MESSAGES_JA: Readonly<Record<string, string>> = {
  REQUIRED: '必須項目です。',
  UNKNOWN_FIELD: 'この項目は受け付けられません。',
  INVALID_TYPE: '値の型が正しくありません。',
  INVALID_FORMAT: '形式が正しくありません。',
  INVALID_CHARACTER: '使用できない文字が含まれています。',
  TOO_SHORT: '短すぎます。',
  TOO_LONG: '長すぎます。',
  OUT_OF_RANGE: '値が許容範囲外です。',
  CHECK_DIGIT_MISMATCH: 'チェックディジットが一致しません。',
  CONFLICTING_FIELDS: '同時に指定できない項目が指定されています。',
  PASSWORD_TOO_SHORT: 'パスワードは 8 文字以上にしてください。',
  PASSWORD_TOO_LONG: 'パスワードが長すぎます (128 文字または 1024 バイトまで)。',
  PASSWORD_TOO_COMMON: 'よく使われるパスワードのため使用できません。',
  PASSWORD_CONTAINS_IDENTIFIER: 'パスワードにユーザー名やメールアドレスを含めないでください。',
};

/**
 * True when `code` is a key of {@link ERROR_REGISTRY}.
 *
 * @throws never
 * @example
 * ```ts
 * isApiErrorCode('TOKEN_EXPIRED'); // true
 * ```
 */
export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_REGISTRY, code);
}
