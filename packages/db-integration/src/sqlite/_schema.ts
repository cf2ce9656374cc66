/**
 * Internal: the SQLite schema (version 6, kept in `PRAGMA user_version`), as the ordered list of
 * steps that lead to it from an empty file: {@link SCHEMA_V1}, {@link MIGRATION_V2},
 * {@link MIGRATION_V3}, {@link MIGRATION_V4}, {@link MIGRATION_V5}, {@link MIGRATION_V6}.
 *
 * Every table keeps the full record as JSON text in `record`, so each field round-trips exactly
 * (absent optional fields stay absent), plus the columns that lookups, uniqueness and ordering
 * need. Uniqueness is the engine's: PRIMARY KEY and UNIQUE constraints (SQLite's UNIQUE admits
 * any number of NULLs, which is exactly the rule for the optional mynumber index). Timestamps are
 * REAL columns (ms since the epoch; exact for every integer below 2^53). `expires_at` columns are
 * indexed so expired rows can be reclaimed without a scan; reads still compare with `now`.
 *
 * Version 2 gives `counters` an `expires_at` (the instant after which the row answers nothing a
 * fresh key would not: the end of its window or its lock, whichever is later), written by every
 * increment and lock, so long-finished counters can be reclaimed too. Rows written under version
 * 1 keep `expires_at` NULL (their window length was never stored) until their next increment.
 *
 * Version 3 adds `deployment` (name → value, first writer wins): the key check of the secrets
 * the data is written with.
 *
 * Version 4 adds `service_clients` (registered services and the hash of their secret).
 *
 * Version 5 adds `recovery_codes` (one row per code of a user's current set: its keyed hash,
 * the set id, its position in the set and when it was used).
 *
 * Version 6 gives `revoked_certificates` a `not_after` (the revoked certificate's own end of
 * validity, ms), indexed, so an entry can be removed once the certificate has expired (RFC 5280
 * §3.3: a CRL may drop an entry after the certificate's validity period). Rows written before
 * version 6 keep `not_after` NULL, which no range matches: they stay.
 */

/** The schema version this adapter writes and reads. */
export const SCHEMA_VERSION = 6;

/** DDL of version 1 (idempotent). Kept as it was: a file at version 1 already has exactly this. */
export const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS users (
  uuid TEXT PRIMARY KEY NOT NULL,
  username_key TEXT NOT NULL UNIQUE,
  email_index TEXT NOT NULL UNIQUE,
  mynumber_index TEXT UNIQUE,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
  user_uuid TEXT NOT NULL,
  device_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  record TEXT NOT NULL,
  PRIMARY KEY (user_uuid, device_id)
);
CREATE TABLE IF NOT EXISTS pairing_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  expires_at REAL NOT NULL,
  used_at REAL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pairing_tokens_by_expiry ON pairing_tokens (expires_at);
CREATE TABLE IF NOT EXISTS challenges (
  challenge_id TEXT PRIMARY KEY NOT NULL,
  expires_at REAL NOT NULL,
  used_at REAL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS challenges_by_expiry ON challenges (expires_at);
CREATE TABLE IF NOT EXISTS refresh_families (
  family_id TEXT PRIMARY KEY NOT NULL,
  user_uuid TEXT NOT NULL,
  expires_at REAL NOT NULL,
  revoked_at REAL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refresh_families_by_user ON refresh_families (user_uuid);
CREATE INDEX IF NOT EXISTS refresh_families_by_expiry ON refresh_families (expires_at);
CREATE TABLE IF NOT EXISTS revoked_tokens (
  jti TEXT PRIMARY KEY NOT NULL,
  expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS revoked_tokens_by_expiry ON revoked_tokens (expires_at);
CREATE TABLE IF NOT EXISTS revoked_certificates (
  serial_number TEXT PRIMARY KEY NOT NULL,
  revoked_at REAL NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revoked_certificates_by_time ON revoked_certificates (revoked_at, serial_number);
CREATE TABLE IF NOT EXISTS counters (
  counter_key TEXT PRIMARY KEY NOT NULL,
  count INTEGER NOT NULL,
  window_start REAL NOT NULL,
  locked_until REAL
);
CREATE TABLE IF NOT EXISTS audit_events (
  event_id TEXT PRIMARY KEY NOT NULL,
  at REAL NOT NULL,
  user_uuid TEXT,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events (at DESC, event_id DESC);
CREATE INDEX IF NOT EXISTS audit_events_by_user_time ON audit_events (user_uuid, at DESC, event_id DESC)
  WHERE user_uuid IS NOT NULL;
CREATE TABLE IF NOT EXISTS certificate_blobs (
  blob_key TEXT PRIMARY KEY NOT NULL,
  user_uuid TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS certificate_blobs_by_user ON certificate_blobs (user_uuid, blob_key);
`;

/** Version 1 → 2: counters learn when they stop mattering (not idempotent: run once, under the version check). */
export const MIGRATION_V2 = `
ALTER TABLE counters ADD COLUMN expires_at REAL;
CREATE INDEX IF NOT EXISTS counters_by_expiry ON counters (expires_at);
`;

/** Version 2 → 3: deployment facts fixed at first start. */
export const MIGRATION_V3 = `
CREATE TABLE IF NOT EXISTS deployment (
  name TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
`;

/** Version 3 → 4: the registered service clients (client credentials for introspection). */
export const MIGRATION_V4 = `
CREATE TABLE IF NOT EXISTS service_clients (
  client_id TEXT PRIMARY KEY NOT NULL,
  record TEXT NOT NULL
);
`;

/** Version 4 → 5: one-time recovery codes, by user and code hash. */
export const MIGRATION_V5 = `
CREATE TABLE IF NOT EXISTS recovery_codes (
  user_uuid TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  set_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  created_at REAL NOT NULL,
  used_at REAL,
  PRIMARY KEY (user_uuid, code_hash)
);
`;

/** Version 5 → 6: CRL entries learn when their certificate expires (not idempotent: run once). */
export const MIGRATION_V6 = `
ALTER TABLE revoked_certificates ADD COLUMN not_after REAL;
CREATE INDEX IF NOT EXISTS revoked_certificates_by_not_after ON revoked_certificates (not_after);
`;

/** `MIGRATIONS[v]` takes a file from version `v` to `v + 1` (version 0 is an empty file). */
export const MIGRATIONS: readonly string[] = [
  SCHEMA_V1,
  MIGRATION_V2,
  MIGRATION_V3,
  MIGRATION_V4,
  MIGRATION_V5,
  MIGRATION_V6,
];
