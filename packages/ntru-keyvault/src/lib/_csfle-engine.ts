/**
 * Internal: which CSFLE engine runs here (libmongocrypt through the native module, or the built-in
 * wire-format implementation), and the key vault collection of a `<database>.<collection>` namespace.
 */
import type { Collection, Document, MongoClient } from 'mongodb';
import { loadClientEncryption } from './_load-client-encryption.js';

let native: Promise<boolean> | undefined;

/** True when `mongodb-client-encryption` loads (checked once per process). */
export function nativeCsfleLoads(): Promise<boolean> {
  native ??= loadClientEncryption().then(
    () => true,
    () => false,
  );
  return native;
}

export function keyVaultCollection(client: MongoClient, namespace: string): Collection<Document> {
  const dot = namespace.indexOf('.');
  return client.db(namespace.slice(0, dot)).collection(namespace.slice(dot + 1));
}
