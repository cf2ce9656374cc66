/**
 * `createMongoStores`: every @city/ports port on MongoDB collections (MongoDB 6+ or FerretDB
 * v1 with its SQLite backend).
 *
 * Collections (each name prefixed by `collectionPrefix`):
 *   users, devices, pairing_tokens, challenges, claims (one-time-use claims), recovery_codes,
 *   refresh_families, revoked_tokens, certificate_revocations, counters, audit_events, certificates.
 * Uniqueness lives in unique indexes and `_id`s; one-time use in unique claim inserts; expiry
 * is compared on read. TTL indexes (`expireAt`) are created only on servers that implement
 * them: FerretDB v1 rejects `expireAfterSeconds` (code 238), and MongoDB's TTL monitor lags
 * anyway, so correctness never depends on them.
 */
import type { Notifier, Stores } from '@city/ports';
import { type Collection, type Db, type Document, MongoClient } from 'mongodb';
import { withSharedChangeEpoch } from '../lib/shared-change-epoch.js';
import type { ClaimDocument } from './_consume-once.js';
import { requireString } from './_guards.js';
import { toPortError } from './_map-mongo-error.js';
import { atomicWrites, createKeyedWriteQueue } from './_serialize-writes.js';
import { type AuditEventDocument, createAuditIndexes, MongoAuditLog } from './mongo-audit-log.js';
import {
  type CertificateBlobDocument,
  createCertificateBlobIndexes,
  MongoCertificateBlobStore,
} from './mongo-certificate-blob-store.js';
import {
  createCertificateRevocationIndexes,
  MongoCertificateRevocationStore,
  type RevokedCertificateDocument,
} from './mongo-certificate-revocation-store.js';
import { type ChallengeDocument, MongoChallengeStore } from './mongo-challenge-store.js';
import { type ChangeEpochDocument, MongoChangeEpoch } from './mongo-change-epoch.js';
import { type CounterDocument, MongoCounterStore } from './mongo-counter-store.js';
import { type DeploymentDocument, MongoDeploymentStore } from './mongo-deployment-store.js';
import { createDeviceIndexes, type DeviceDocument, MongoDeviceStore } from './mongo-device-store.js';
import { MongoInputError } from './mongo-input-error.js';
import { MongoPairingTokenStore, type PairingTokenDocument } from './mongo-pairing-token-store.js';
import { MongoRecoveryCodeStore, type RecoveryCodeSetDocument } from './mongo-recovery-code-store.js';
import {
  createRefreshFamilyIndexes,
  MongoRefreshTokenStore,
  type RefreshFamilyDocument,
} from './mongo-refresh-token-store.js';
import { MongoRevocationList, type RevokedTokenDocument } from './mongo-revocation-list.js';
import { createUserIndexes, MongoUserStore, type UserDocument } from './mongo-user-store.js';

/** Configuration of {@link createMongoStores}. */
export interface MongoStoresConfig {
  /** Connection string (`mongodb://...`); ignored when `client` is given. */
  readonly uri?: string | undefined;
  /** Database holding the collections. */
  readonly dbName: string;
  /** Prefix for every collection name (several deployments in one database), e.g. `city_`. */
  readonly collectionPrefix?: string | undefined;
  /** An existing connected client; the stores then do not close it. */
  readonly client?: MongoClient | undefined;
  /** Where notifications go (an OutboxNotifier or SnsNotifier). */
  readonly notifier: Notifier;
  /** Server selection timeout for a client this factory creates (default 2000 ms). */
  readonly serverSelectionTimeoutMS?: number | undefined;
}

/** The MongoDB stores plus what was detected about the server. */
export interface MongoStores extends Stores {
  /** The database in use (for administration and tests). */
  readonly db: Db;
  /** The server is FerretDB (updates are serialised per document in this process). */
  readonly ferretdb: boolean;
  /** TTL indexes were created (false on FerretDB). */
  readonly ttlIndexes: boolean;
}

/** Collection names without prefix. */
const COLLECTIONS = {
  users: 'users',
  devices: 'devices',
  pairingTokens: 'pairing_tokens',
  challenges: 'challenges',
  claims: 'claims',
  recoveryCodes: 'recovery_codes',
  refreshFamilies: 'refresh_families',
  revokedTokens: 'revoked_tokens',
  certificateRevocations: 'certificate_revocations',
  counters: 'counters',
  audit: 'audit_events',
  certificates: 'certificates',
  deployment: 'deployment',
} as const;

/** Server error codes meaning "this index option is not supported here". */
const UNSUPPORTED_INDEX_OPTION = new Set([238, 67, 2, 197]);

/**
 * Connects (unless given a client), creates the indexes idempotently and returns every port.
 *
 * @throws {StoreUnavailableError} when the server cannot be reached within the timeout.
 * @throws {MongoInputError} when `dbName`/`collectionPrefix` are invalid or `notifier` is missing.
 * @example
 * ```ts
 * const stores = await createMongoStores({ uri: process.env.MONGODB_URI, dbName: 'city', notifier });
 * await stores.users.ping();
 * await stores.close();
 * ```
 */
export async function createMongoStores(config: MongoStoresConfig): Promise<MongoStores> {
  if (typeof config !== 'object' || config === null) {
    throw new MongoInputError('config', '"config" expected an object');
  }
  const dbName = requireString('dbName', config.dbName, 63);
  if (/[/\\. "$*<>:|?]/.test(dbName))
    throw new MongoInputError('dbName', '"dbName" contains a forbidden character');
  const prefix = config.collectionPrefix ?? '';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]*$/.test(prefix) || prefix.length > 64) {
    throw new MongoInputError(
      'collectionPrefix',
      '"collectionPrefix" may hold only letters, digits, _ and -',
    );
  }
  const notifier = config.notifier;
  if (typeof notifier !== 'object' || notifier === null || typeof notifier.publish !== 'function') {
    throw new MongoInputError('notifier', '"notifier" expected a Notifier');
  }

  const ownsClient = config.client === undefined;
  let client: MongoClient;
  if (config.client) {
    client = config.client;
  } else {
    const uri = requireString('uri', config.uri, 4096);
    const timeout = config.serverSelectionTimeoutMS ?? 2_000;
    client = new MongoClient(uri, {
      serverSelectionTimeoutMS: timeout,
      connectTimeoutMS: timeout,
      appName: 'city-chain-auth',
    });
  }

  try {
    if (ownsClient) await client.connect();
    const db = client.db(dbName);
    const buildInfo: Document = await db.command({ buildInfo: 1 });
    const ferretdb = typeof buildInfo.ferretdbVersion === 'string';
    const col = <T extends Document>(name: string): Collection<T> => db.collection<T>(`${prefix}${name}`);

    const users = col<UserDocument>(COLLECTIONS.users);
    const devices = col<DeviceDocument>(COLLECTIONS.devices);
    const pairingTokens = col<PairingTokenDocument>(COLLECTIONS.pairingTokens);
    const challenges = col<ChallengeDocument>(COLLECTIONS.challenges);
    const claims = col<ClaimDocument>(COLLECTIONS.claims);
    const recoveryCodes = col<RecoveryCodeSetDocument>(COLLECTIONS.recoveryCodes);
    const families = col<RefreshFamilyDocument>(COLLECTIONS.refreshFamilies);
    const revokedTokens = col<RevokedTokenDocument>(COLLECTIONS.revokedTokens);
    const certificateRevocations = col<RevokedCertificateDocument>(COLLECTIONS.certificateRevocations);
    const counters = col<CounterDocument>(COLLECTIONS.counters);
    const audit = col<AuditEventDocument>(COLLECTIONS.audit);
    const certificates = col<CertificateBlobDocument>(COLLECTIONS.certificates);
    const deployment = col<DeploymentDocument>(COLLECTIONS.deployment);

    await createUserIndexes(users);
    await createDeviceIndexes(devices);
    await createRefreshFamilyIndexes(families);
    await createCertificateRevocationIndexes(certificateRevocations);
    await createAuditIndexes(audit);
    await createCertificateBlobIndexes(certificates);
    const ttlIndexes =
      !ferretdb &&
      (await createTtlIndexes(
        [pairingTokens, challenges, claims, families, revokedTokens].map((c) =>
          db.collection(c.collectionName),
        ),
      ));

    const serialize = ferretdb ? createKeyedWriteQueue() : atomicWrites;
    let closed = false;
    // Several instances share these collections: the change epoch lets each keep an access cache.
    const epoch = new MongoChangeEpoch(db.collection<ChangeEpochDocument>(deployment.collectionName));
    return withSharedChangeEpoch(
      {
        db,
        ferretdb,
        ttlIndexes,
        users: new MongoUserStore(db, users, serialize),
        devices: new MongoDeviceStore(devices, serialize),
        pairingTokens: new MongoPairingTokenStore(pairingTokens, claims),
        challenges: new MongoChallengeStore(challenges, claims),
        recoveryCodes: new MongoRecoveryCodeStore(recoveryCodes, claims, serialize),
        refreshTokens: new MongoRefreshTokenStore(families, serialize),
        revocations: new MongoRevocationList(revokedTokens, serialize),
        certificateRevocations: new MongoCertificateRevocationStore(certificateRevocations),
        counters: new MongoCounterStore(counters, serialize),
        audit: new MongoAuditLog(audit),
        certificates: new MongoCertificateBlobStore(certificates),
        deployment: new MongoDeploymentStore(deployment),
        notifier,
        async close() {
          if (closed || !ownsClient) return;
          closed = true;
          await client.close();
        },
      },
      epoch,
    );
  } catch (error) {
    if (ownsClient) await client.close().catch(() => undefined);
    throw toPortError(error);
  }
}

/** Creates `expireAt` TTL indexes; false (and nothing created) when the server lacks TTL support. */
async function createTtlIndexes(collections: readonly Collection<Document>[]): Promise<boolean> {
  for (const collection of collections) {
    try {
      await collection.createIndex({ expireAt: 1 }, { name: 'ttl_expireAt', expireAfterSeconds: 0 });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number' && UNSUPPORTED_INDEX_OPTION.has(code)) return false;
      throw error;
    }
  }
  return true;
}
