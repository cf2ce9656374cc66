/**
 * Production compositions: AWS (DynamoDB + S3 + SNS/outbox) or MongoDB, with the CA and JWT keys
 * sealed under the key vault (see _load-secrets), checked against the store (_secrets-for-store):
 * created only by the first instance on an empty store, refused when they do not match it.
 * mongodb mode keeps the key vault capsules in MongoDB (_deployment-capsule-store), aws mode in
 * the certificate bucket under `keyvault/` (each capsule's creator elected in DynamoDB); the root
 * key stays outside both, and every instance shares the one vault.
 */
import { join } from 'node:path';
import { type DynamoStoresConfig, loadStorageConfigFromEnv, OutboxNotifier } from '@city/db-integration';
import type { MongoStores } from '@city/db-integration/mongodb';
import type { JwtAlgorithm } from '@city/jwt';
import type { CapsuleStore, KemAlgorithm } from '@city/ntru-keyvault';
import type { Clock, Random, Stores } from '@city/ports';
import type { AuthConfigOverrides, CertificateAlgorithm } from '@city/registration-core';
import { assembleRuntime } from './_assemble-runtime.js';
import {
  adoptFileCapsules,
  type DeploymentCapsuleStore,
  openMongoCapsuleStore,
} from './_deployment-capsule-store.js';
import type { RootKeyOptions } from './_load-secrets.js';
import { mongoPiiCipher } from './_mongo-pii-cipher.js';
import type { PiiEncryption } from './_pii-encryption.js';
import { secretsForStore } from './_secrets-for-store.js';
import type { AuthRuntime } from './open-embedded-auth.js';

/** Configuration of {@link openAuthFromConfig}. */
export type AuthDeploymentConfig = (
  | {
      readonly mode: 'aws';
      /** Default: `loadStorageConfigFromEnv()`. */
      readonly storage?: DynamoStoresConfig | undefined;
      /** Create tables and bucket when missing (default false: provisioned by infrastructure). */
      readonly provision?: boolean | undefined;
    }
  | {
      readonly mode: 'mongodb';
      readonly uri: string;
      readonly dbName: string;
      readonly collectionPrefix?: string | undefined;
      /** Outbox directory for notifications (default `<secretsDir>/outbox`). */
      readonly outboxDir?: string | undefined;
      /**
       * How personal data is encrypted: `csfle` (MongoDB CSFLE wire format, data keys in
       * `<prefix>keyvault_datakeys`), `field-cipher` (AES-256-GCM field cipher), or `auto` (default:
       * CSFLE when mongodb-client-encryption loads or the deployment already has CSFLE data keys,
       * otherwise the field cipher). Values of either format are always read.
       */
      readonly piiEncryption?: PiiEncryption | undefined;
    }
) & {
  /** Directory of the key vault files (`keyvault/`), the creation lock, and by default the root key. */
  readonly secretsDir: string;
  /** Size bound in bytes of each notification outbox file (default 64 MiB; see `OutboxNotifier`). */
  readonly outboxMaxBytes?: number | undefined;
  /** The root key (KEM private key): PEM text or a file; default `<secretsDir>/keyvault-kem.key`. */
  readonly rootKey?: RootKeyOptions | undefined;
  /**
   * Where the wrapped master key and the sealed CA and JWT keys live (S3CapsuleStore,
   * MongoCapsuleStore... shared by every instance). Default: in mongodb mode the collection
   * `<collectionPrefix>keyvault_capsules` of the same database (capsule files found under
   * `<secretsDir>/keyvault` copied in on the first start); in aws mode the objects under `keyvault/`
   * in the certificate bucket (capsule files found under `<secretsDir>/keyvault` copied in likewise).
   */
  readonly capsuleStore?: CapsuleStore | undefined;
  readonly config?: AuthConfigOverrides | undefined;
  readonly caAlgorithm?: CertificateAlgorithm | undefined;
  readonly jwtAlgorithm?: JwtAlgorithm | undefined;
  readonly kemAlgorithm?: KemAlgorithm | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: Random | undefined;
  readonly onInternalError?: ((error: unknown, where: string) => void) | undefined;
};

/**
 * Opens the auth service on AWS or MongoDB.
 *
 * @throws {StorageConfigError} for bad storage settings; store errors when the engine is unreachable
 * @throws {SecretsError} `SECRETS_MISSING`, `SECRETS_MISMATCH`, `SECRETS_LOCKED`, `SECRETS_UNREADABLE`
 * @example
 * ```ts
 * const { auth, close } = await openAuthFromConfig({ mode: 'aws', secretsDir: '/run/secrets/city' });
 * ```
 */
export async function openAuthFromConfig(config: AuthDeploymentConfig): Promise<AuthRuntime> {
  let shared: DeploymentCapsuleStore | undefined;
  if (config.capsuleStore === undefined && config.mode === 'mongodb') {
    shared = await openMongoCapsuleStore({
      uri: config.uri,
      dbName: config.dbName,
      collectionPrefix: config.collectionPrefix,
      secretsDir: config.secretsDir,
    });
  }
  try {
    return await openWithCapsules(config, shared);
  } catch (error) {
    await shared?.close().catch(() => {});
    throw error;
  }
}

async function openWithCapsules(
  config: AuthDeploymentConfig,
  shared: DeploymentCapsuleStore | undefined,
): Promise<AuthRuntime> {
  let capsuleStore: CapsuleStore | undefined = config.capsuleStore ?? shared?.store;
  let migrated: readonly string[] = shared?.migrated ?? [];
  let stores: Stores;
  let mongoClient: MongoStores['db']['client'] | undefined;
  let describe: Record<string, string>;
  if (config.mode === 'aws') {
    // Each adapter family is loaded only for its mode: an AWS deployment never loads the MongoDB driver.
    const { createDynamoStores, createTables, ensureBucket } = await import('@city/db-integration/dynamodb');
    const configured = config.storage ?? loadStorageConfigFromEnv();
    const storage =
      config.outboxMaxBytes === undefined
        ? configured
        : { ...configured, outbox: { ...configured.outbox, maxBytes: config.outboxMaxBytes } };
    if (config.provision === true) {
      await createTables(storage);
      await ensureBucket(storage);
    }
    const dynamo = createDynamoStores(storage, config.clock === undefined ? {} : { clock: config.clock });
    stores = dynamo;
    if (capsuleStore === undefined) {
      capsuleStore = dynamo.capsules;
      try {
        migrated = await adoptFileCapsules(dynamo.capsules, join(config.secretsDir, 'keyvault'));
      } catch (error) {
        await stores.close().catch(() => {});
        throw error;
      }
    }
    describe = { mode: 'aws', region: storage.region, bucket: storage.s3.bucket };
  } else {
    const { createMongoStores } = await import('@city/db-integration/mongodb');
    const mongoStores = await createMongoStores({
      uri: config.uri,
      dbName: config.dbName,
      collectionPrefix: config.collectionPrefix,
      notifier: new OutboxNotifier({
        dir: config.outboxDir ?? join(config.secretsDir, 'outbox'),
        maxBytes: config.outboxMaxBytes,
      }),
    });
    stores = mongoStores;
    mongoClient = mongoStores.db.client;
    describe = { mode: 'mongodb', dbName: config.dbName };
  }
  if (migrated.length > 0) {
    describe.keyvaultMigrated = `${migrated.join(', ')} copied from ${join(config.secretsDir, 'keyvault')} (the files stay as a backup)`;
  }
  const secretsOptions = {
    dir: config.secretsDir,
    rootKey: config.rootKey,
    capsuleStore,
    caAlgorithm: config.caAlgorithm,
    jwtAlgorithm: config.jwtAlgorithm,
    kemAlgorithm: config.kemAlgorithm,
  };
  let secrets: Awaited<ReturnType<typeof secretsForStore>>;
  try {
    secrets = await secretsForStore(stores, secretsOptions);
    if (config.mode === 'mongodb' && mongoClient !== undefined) {
      const pii = await mongoPiiCipher({
        client: mongoClient,
        dbName: config.dbName,
        collectionPrefix: config.collectionPrefix,
        vault: secrets.vault,
        fallback: secrets.fieldCipher,
        mode: config.piiEncryption,
        users: stores.users,
      });
      secrets = { ...secrets, fieldCipher: pii.cipher };
      describe = {
        ...describe,
        pii: pii.describe,
        ...(pii.migrated
          ? { piiMigrated: `${pii.migrated} user profile(s) rewritten into CSFLE format` }
          : {}),
      };
    }
  } catch (error) {
    await stores.close().catch(() => {});
    throw error;
  }
  return assembleRuntime(stores, secrets, config, describe, () =>
    stores.close().finally(() => shared?.close()),
  );
}
