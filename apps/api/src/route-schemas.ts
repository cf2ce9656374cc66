/**
 * JSON Schemas (OpenAPI 3 via @fastify/swagger) of the routes' responses and of the bodies the
 * HTTP layer composes from several request contracts. Request bodies are registration-core's
 * request contracts themselves (one schema per use-case input: the use case validates with it,
 * Fastify validates and OpenAPI documents with it). Response schemas mirror registration-core's
 * output types exactly: they are what fast-json-stringify serialises, and schemathesis checks
 * responses against them.
 */
import { ROLES } from '@city/ports';

type Schema = Readonly<Record<string, unknown>>;

const str = (description?: string): Schema =>
  description ? { type: 'string', description } : { type: 'string' };
const dateTime = (description?: string): Schema =>
  description
    ? { type: 'string', format: 'date-time', description }
    : { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const ROLE = { type: 'string', enum: [...ROLES] };

/** `{ error: { code, message, fields? } }`. */
export const ERROR_SCHEMA: Schema = obj(
  {
    error: obj(
      {
        code: str('stable error code (see the error table)'),
        message: str('human message (English, or Japanese with Accept-Language: ja)'),
        fields: {
          type: 'array',
          items: obj({ field: str(), code: str(), message: str() }, ['field', 'code', 'message']),
        },
      },
      ['code', 'message'],
    ),
  },
  ['error'],
);

/** Every error status a route can answer with. */
export const ERROR_RESPONSES: Schema = {
  '4xx': { description: 'client error', ...ERROR_SCHEMA },
  '5xx': { description: 'server error (503 when the store is down)', ...ERROR_SCHEMA },
};

const USER_SUMMARY_PROPS = {
  uuid: str(),
  username: str(),
  roles: { type: 'array', items: ROLE },
  email: str(),
  status: { type: 'string', enum: ['active', 'disabled'] },
  createdAt: dateTime(),
};
const USER_SUMMARY_REQUIRED = ['uuid', 'username', 'roles', 'email', 'status', 'createdAt'];

/** UserSummary. */
export const USER_SUMMARY_SCHEMA: Schema = obj(USER_SUMMARY_PROPS, USER_SUMMARY_REQUIRED);

const ISSUED_CERTIFICATE_PROPS = {
  deviceId: str(),
  certificatePem: str('device certificate (PEM)'),
  certificateBase64: str('base64 of the PEM (the legacy client_cert)'),
  fingerprint: str('SHA-256 of the DER, lower-case hex'),
  serialNumber: str(),
  algorithm: str(),
  notBefore: dateTime(),
  notAfter: dateTime(),
  privateKeyPem: str('PKCS#8 PEM, only when the server generated the key; returned once'),
  caCertificatePem: str(),
  qrPayload: str('city-auth:cert?v=1&uuid=..&device=..&fp=..'),
};
const ISSUED_CERTIFICATE_REQUIRED = [
  'deviceId',
  'certificatePem',
  'certificateBase64',
  'fingerprint',
  'serialNumber',
  'algorithm',
  'notBefore',
  'notAfter',
  'caCertificatePem',
  'qrPayload',
];

/** RegistrationResult. */
export const REGISTRATION_RESULT_SCHEMA: Schema = obj(
  {
    uuid: str(),
    username: str(),
    ...ISSUED_CERTIFICATE_PROPS,
    pkcs12Base64: str(
      'Base64 PKCS#12 of key, certificate and CA, only when pkcs12_password was sent; returned once',
    ),
    recoveryCodes: {
      type: 'array',
      items: str(),
      description:
        'ten one-time recovery codes (XXXX-XXXX-XXXX-XXXX); with the password each enrols a new device through POST /recover. Returned once: store them safely',
    },
  },
  ['uuid', 'username', 'recoveryCodes', ...ISSUED_CERTIFICATE_REQUIRED],
);

/** RecoveredDeviceResult. */
export const RECOVERED_DEVICE_SCHEMA: Schema = obj(
  {
    uuid: str(),
    recoveryCodesRemaining: { type: 'integer', description: 'unused recovery codes left' },
    ...ISSUED_CERTIFICATE_PROPS,
  },
  ['uuid', 'recoveryCodesRemaining', ...ISSUED_CERTIFICATE_REQUIRED],
);

/** RecoveryCodesResult. */
export const RECOVERY_CODES_SCHEMA: Schema = obj(
  {
    recoveryCodes: { type: 'array', items: str(), description: 'the new set; returned once' },
    createdAt: dateTime(),
  },
  ['recoveryCodes', 'createdAt'],
);

/** RecoveryCodesStatus. */
export const RECOVERY_CODES_STATUS_SCHEMA: Schema = obj(
  {
    total: { type: 'integer', description: 'codes in the current set (0 when there is none)' },
    remaining: { type: 'integer', description: 'unused codes' },
    createdAt: dateTime(),
  },
  ['total', 'remaining'],
);

/** EnrolmentTokenResult. */
export const ENROLMENT_TOKEN_SCHEMA: Schema = obj(
  {
    uuid: str(),
    username: str(),
    token: str('one-time enrolment token (256 bits, base64url); shown once'),
    expiresAt: dateTime(),
    qrPayload: str('city-auth:pair?v=1&uuid=..&token=..'),
    devicesRevoked: { type: 'integer' },
  },
  ['uuid', 'username', 'token', 'expiresAt', 'qrPayload', 'devicesRevoked'],
);

/** PairedDeviceResult. */
export const PAIRED_DEVICE_RESULT_SCHEMA: Schema = obj(
  {
    uuid: str(),
    pairedFromDeviceId: str(
      'the device that issued the pairing token; absent for an operator enrolment token',
    ),
    ...ISSUED_CERTIFICATE_PROPS,
  },
  ['uuid', ...ISSUED_CERTIFICATE_REQUIRED],
);

/** RenewedCertificateResult. */
export const RENEWED_CERTIFICATE_SCHEMA: Schema = obj(
  { previousSerialNumber: str(), ...ISSUED_CERTIFICATE_PROPS },
  ['previousSerialNumber', ...ISSUED_CERTIFICATE_REQUIRED],
);

/** LoginChallenge. */
export const LOGIN_CHALLENGE_SCHEMA: Schema = obj(
  { challengeId: str(), challenge: str('the exact UTF-8 string the device signs'), expiresAt: dateTime() },
  ['challengeId', 'challenge', 'expiresAt'],
);

const TOKEN_PAIR_PROPS = {
  tokenType: { type: 'string', enum: ['Bearer'] },
  accessToken: str(),
  expiresIn: { type: 'integer', description: 'access token lifetime (seconds)' },
  accessTokenExpiresAt: dateTime(),
  refreshToken: str(),
  refreshTokenExpiresAt: dateTime(),
  sessionId: str(),
  deviceId: str(),
};
const TOKEN_PAIR_REQUIRED = Object.keys(TOKEN_PAIR_PROPS);

/** TokenPair (refresh result). */
export const TOKEN_PAIR_SCHEMA: Schema = obj(TOKEN_PAIR_PROPS, TOKEN_PAIR_REQUIRED);

/** LoginResult. */
export const LOGIN_RESULT_SCHEMA: Schema = obj({ ...TOKEN_PAIR_PROPS, user: USER_SUMMARY_SCHEMA }, [
  ...TOKEN_PAIR_REQUIRED,
  'user',
]);

/** MeResult. */
export const ME_SCHEMA: Schema = obj(
  {
    ...USER_SUMMARY_PROPS,
    name: str(),
    birthDate: str('YYYY-MM-DD'),
    address: str(),
    phone: str('E.164'),
    mynumberLast4: str(),
    initialHarmonyToken: { type: 'integer' },
    deviceId: str(),
    sessionId: str(),
  },
  [...USER_SUMMARY_REQUIRED, 'initialHarmonyToken', 'deviceId', 'sessionId'],
);

/** PairingTokenResult plus the rendered QR code. */
export const PAIRING_TOKEN_SCHEMA: Schema = obj(
  {
    token: str('256-bit token, base64url; shown once'),
    expiresAt: dateTime(),
    qrPayload: str('city-auth:pair?v=1&uuid=..&token=..[&label=..]'),
    pairingUrl: str('<public base URL>/pair?token=..[&label=..]: the pairing page with the token filled in'),
    qrSvg: str('an SVG QR code: pairingUrl on POST /pairing-tokens, else the qrPayload'),
    deviceLabel: str('the device_label asked for; the paired device gets it unless the redeemer names one'),
  },
  ['token', 'expiresAt', 'qrPayload', 'qrSvg'],
);

/** DeviceSummary. */
export const DEVICE_SCHEMA: Schema = obj(
  {
    deviceId: str(),
    label: str(),
    status: { type: 'string', enum: ['active', 'revoked'] },
    fingerprint: str(),
    serialNumber: str(),
    algorithm: str(),
    createdAt: dateTime(),
    notAfter: dateTime(),
    revokedAt: dateTime(),
    pairedFromDeviceId: str(),
    current: { type: 'boolean', description: 'true for the device of the calling session' },
  },
  ['deviceId', 'status', 'fingerprint', 'serialNumber', 'algorithm', 'createdAt', 'notAfter', 'current'],
);

/** `{ devices: DeviceSummary[] }`. */
export const DEVICE_LIST_SCHEMA: Schema = obj({ devices: { type: 'array', items: DEVICE_SCHEMA } }, [
  'devices',
]);

/** PageResult<UserSummary>. */
export const USER_PAGE_SCHEMA: Schema = obj(
  { items: { type: 'array', items: USER_SUMMARY_SCHEMA }, cursor: str('pass back for the next page') },
  ['items'],
);

/** PageResult<AuditEntry>. */
export const AUDIT_PAGE_SCHEMA: Schema = obj(
  {
    items: {
      type: 'array',
      items: obj(
        {
          eventId: str(),
          type: str(),
          at: dateTime(),
          userUuid: str(),
          deviceId: str(),
          ip: str(),
          reason: str(),
          detail: {
            type: 'object',
            additionalProperties: { type: ['string', 'number', 'boolean'] },
          },
        },
        ['eventId', 'type', 'at'],
      ),
    },
    cursor: str(),
  },
  ['items'],
);

/** JWKS. */
export const JWKS_SCHEMA: Schema = obj(
  { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
  ['keys'],
);

/** RFC 8414 §2 authorization server metadata (the members this server publishes). */
export const AUTHORIZATION_SERVER_METADATA_SCHEMA: Schema = obj(
  {
    issuer: str(),
    jwks_uri: str(),
    revocation_endpoint: str(),
    revocation_endpoint_auth_methods_supported: { type: 'array', items: str() },
    introspection_endpoint: str(),
    introspection_endpoint_auth_methods_supported: { type: 'array', items: str() },
    access_token_signing_alg_values_supported: { type: 'array', items: str() },
    service_documentation: str(),
  },
  ['issuer', 'jwks_uri'],
);

/** `{ status }` for /health and /ready. */
export const STATUS_SCHEMA: Schema = obj({ status: str() }, ['status']);

/** `/health`: status and the API version. */
export const HEALTH_SCHEMA: Schema = obj(
  {
    status: str(),
    version: str('the API version'),
    worker: {
      type: 'integer',
      description:
        'which worker process answered (only with CITY_WORKERS above 1; a restarted worker gets a new number)',
    },
  },
  ['status', 'version'],
);

/** RFC 7662 §2.2 introspection answer. */
export const INTROSPECTION_SCHEMA: Schema = obj(
  {
    active: { type: 'boolean' },
    token_type: str(),
    sub: str(),
    username: str(),
    exp: { type: 'integer' },
    iss: str(),
    aud: str(),
    jti: str(),
    sid: str(),
    device_id: str(),
    roles: { type: 'array', items: str() },
  },
  ['active'],
);

/** An empty JSON object (RFC 7009 revocation answer). */
export const EMPTY_OBJECT_SCHEMA: Schema = obj({});

/** Bearer security requirement for OpenAPI. */
export const BEARER = [{ bearerAuth: [] }];
