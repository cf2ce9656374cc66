/**
 * Table names of the DynamoDB adapter. Every name is the configured prefix plus a fixed
 * suffix unless overridden one by one (CITY_DYNAMODB_TABLE_<NAME>).
 */

/** The tables the DynamoDB adapter uses. */
export interface DynamoTableNames {
  /** Users by `uuid`. */
  readonly users: string;
  /** Uniqueness claims (`username#…`, `email#…`, `mynumber#…`, `fingerprint#…`) by `claim`. */
  readonly uniqueClaims: string;
  /** Devices by (`userUuid`, `deviceId`). */
  readonly devices: string;
  /** Pairing tokens by `tokenHash` (TTL `ttl`). */
  readonly pairingTokens: string;
  /** Login challenges by `challengeId` (TTL `ttl`). */
  readonly challenges: string;
  /** Refresh-token families by `familyId`, GSI `byUser` (TTL `ttl`). */
  readonly refreshFamilies: string;
  /** Revoked token ids by `jti` (TTL `ttl`). */
  readonly revokedTokens: string;
  /** Revoked certificate serials: partition `crl`, sort `serialNumber`. */
  readonly revokedCertificates: string;
  /** Throttling counters by `counterKey` (TTL `ttl`). */
  readonly counters: string;
  /** Audit events: partition `bucket` (day), sort `seq`, GSI `byUser`. */
  readonly audit: string;
}

/** Suffix of each table after the prefix. */
export const DYNAMO_TABLE_SUFFIXES: Readonly<Record<keyof DynamoTableNames, string>> = {
  users: 'users',
  uniqueClaims: 'unique_claims',
  devices: 'devices',
  pairingTokens: 'pairing_tokens',
  challenges: 'challenges',
  refreshFamilies: 'refresh_families',
  revokedTokens: 'revoked_tokens',
  revokedCertificates: 'revoked_certificates',
  counters: 'counters',
  audit: 'audit',
};

/**
 * Builds the table names from a prefix (default `city_`), with optional per-table overrides.
 *
 * @throws {TypeError} never; names are validated by `loadStorageConfigFromEnv` and by DynamoDB itself.
 * @example
 * ```ts
 * dynamoTableNames('test_').users; // 'test_users'
 * ```
 */
export function dynamoTableNames(
  prefix = 'city_',
  overrides: Partial<DynamoTableNames> = {},
): DynamoTableNames {
  const names = {} as Record<keyof DynamoTableNames, string>;
  for (const [key, suffix] of Object.entries(DYNAMO_TABLE_SUFFIXES) as [keyof DynamoTableNames, string][]) {
    names[key] = overrides[key] ?? `${prefix}${suffix}`;
  }
  return names;
}
