/**
 * Registered services and token introspection (RFC 7662). A service (another API of the city
 * that accepts our access tokens) is registered by the operator with a client id; it gets a
 * 256-bit random secret once, and only `sha256:` of it is stored — a secret of that entropy needs
 * no slow hash, and a fast one keeps introspection cheap. Introspection authenticates the service
 * (RFC 6749 §2.3.1 client credentials; an unknown id does the same comparison against a dummy hash)
 * and then runs the same check as every protected route, `authenticateAccessToken`: signature,
 * claims, revocation list, user and device still active. Anything that fails it is `active: false`
 * and nothing more (RFC 7662 §2.2: no reason is given).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConflictError, type ServiceClientRecord, type ServiceClientStore } from '@city/ports';
import { AuthError } from '../auth-error.js';
import type { AdminActor } from '../auth-service.js';
import {
  AddServiceClientInputSchema,
  IntrospectInputSchema,
  RemoveServiceClientInputSchema,
} from '../contracts/token-input-schema.js';
import { iso, randomToken, type ServiceContext } from '../lib/_service-context.js';
import { InputReader } from '../validation/_input-reader.js';
import { authenticateAccessToken } from './authenticate-access-token.js';

/** A registered service as listed (never its secret or hash). */
export interface ServiceClientSummary {
  readonly clientId: string;
  readonly name: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** A newly registered service: `clientSecret` is shown this once. */
export interface NewServiceClient extends ServiceClientSummary {
  readonly clientSecret: string;
}

/** Client credentials presented by a service (from HTTP Basic or the request body). */
export interface ServiceCredentials {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}

/** RFC 7662 §2.2 answer: `{ active: false }` or the token's claims. */
export type IntrospectionResult =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly token_type: 'Bearer';
      readonly sub: string;
      readonly username: string;
      readonly exp: number;
      readonly iss: string;
      readonly aud: string;
      readonly jti: string;
      readonly sid: string;
      readonly device_id: string;
      readonly roles: readonly string[];
    };

const CLIENT_ID = /^[a-z0-9][a-z0-9._-]{2,63}$/;
const SECRET_MAX = 256;
// Compared when the client id is unknown, so both answers do the same work.
const DUMMY_HASH = hashSecret('no-such-client');

function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('base64url')}`;
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function requireOperator(actor: AdminActor): void {
  if (typeof (actor as { operator?: unknown }).operator !== 'string') throw new AuthError('FORBIDDEN');
}

function storeOf(ctx: ServiceContext): ServiceClientStore {
  const store = ctx.stores.serviceClients;
  if (store === undefined) throw new AuthError('SERVICE_CLIENTS_UNSUPPORTED');
  return store;
}

function summary(record: ServiceClientRecord): ServiceClientSummary {
  return { clientId: record.clientId, name: record.name, createdAt: iso(record.createdAt) };
}

function readClientId(reader: InputReader): string | undefined {
  const clientId = reader.string('client_id');
  if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
    reader.add('client_id', 'INVALID_FORMAT', '3-64 characters [a-z0-9._-], starting with a letter or digit');
  }
  return clientId;
}

/** Operator: registers a service and returns its secret once. */
export async function addServiceClient(
  ctx: ServiceContext,
  actor: AdminActor,
  input: unknown,
): Promise<NewServiceClient> {
  requireOperator(actor);
  const reader = new InputReader(input, AddServiceClientInputSchema);
  const clientId = readClientId(reader);
  const name = reader.text('name', 128);
  reader.finish();
  const store = storeOf(ctx);
  const clientSecret = randomToken(ctx, 32);
  const record: ServiceClientRecord = {
    clientId: clientId!,
    name: name ?? clientId!,
    secretHash: hashSecret(clientSecret),
    createdAt: ctx.clock.now(),
  };
  try {
    await store.create(record);
  } catch (error) {
    if (error instanceof ConflictError)
      throw new AuthError('SERVICE_CLIENT_EXISTS', undefined, { cause: error });
    throw error;
  }
  return { ...summary(record), clientSecret };
}

/** Operator: every registered service. */
export async function listServiceClients(
  ctx: ServiceContext,
  actor: AdminActor,
): Promise<readonly ServiceClientSummary[]> {
  requireOperator(actor);
  return (await storeOf(ctx).list()).map(summary);
}

/** Operator: removes a service; its secret stops working at once. */
export async function removeServiceClient(
  ctx: ServiceContext,
  actor: AdminActor,
  input: unknown,
): Promise<void> {
  requireOperator(actor);
  const reader = new InputReader(input, RemoveServiceClientInputSchema);
  const clientId = readClientId(reader);
  reader.finish();
  if (!(await storeOf(ctx).remove(clientId!))) throw new AuthError('SERVICE_CLIENT_NOT_FOUND');
}

/** RFC 7662: a registered service asks whether an access token is active. */
export async function introspectToken(
  ctx: ServiceContext,
  credentials: ServiceCredentials,
  input: unknown,
): Promise<IntrospectionResult> {
  const { clientId, clientSecret } = credentials ?? {};
  const idOk = typeof clientId === 'string' && clientId.length > 0 && clientId.length <= 64;
  const secretOk =
    typeof clientSecret === 'string' && clientSecret.length > 0 && clientSecret.length <= SECRET_MAX;
  const record =
    idOk && ctx.stores.serviceClients !== undefined
      ? await ctx.stores.serviceClients.get(clientId)
      : undefined;
  const presented = hashSecret(secretOk ? clientSecret : '');
  const matches = sameHash(presented, record?.secretHash ?? DUMMY_HASH);
  if (record === undefined || !secretOk || !matches) throw new AuthError('SERVICE_CLIENT_INVALID');

  const reader = new InputReader(input, IntrospectInputSchema);
  const token = reader.string('token');
  reader.string('token_type_hint');
  reader.finish();
  try {
    const principal = await authenticateAccessToken(ctx, token);
    return {
      active: true,
      token_type: 'Bearer',
      sub: principal.userUuid,
      username: principal.username,
      exp: Math.floor(Date.parse(principal.expiresAt) / 1000),
      iss: ctx.config.issuer,
      aud: ctx.config.audience,
      jti: principal.tokenId,
      sid: principal.sessionId,
      device_id: principal.deviceId,
      roles: principal.roles,
    };
  } catch (error) {
    if (
      error instanceof AuthError &&
      ['AUTHENTICATION_REQUIRED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED'].includes(error.code)
    ) {
      return { active: false };
    }
    throw error;
  }
}
