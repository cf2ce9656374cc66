/**
 * Internal: memory of access tokens that passed the full check (signature, claims, revocation
 * list, user and device active), so a client calling many protected routes with one token pays for
 * the signature and the store reads once per change of state, not once per request.
 *
 * Soundness rests on the store's `authStateVersion()` (see @city/ports): a value that differs
 * whenever a user, device, session, revoked token id or revoked certificate may have changed,
 * written by this process or any other. An entry is trusted only while the version it was built
 * under is still current, and only inside the token's own validity window (checked against the
 * service clock on every hit). The version is read BEFORE the store reads that build an entry, so
 * a write racing with those reads leaves the entry with an outdated version, never a stale one
 * under the current version. Network stores shared by several instances report another instance's
 * change within their stated bound (DynamoDB and MongoDB: one second, through a shared change
 * epoch); stores without `authStateVersion` get no cache at all.
 *
 * The key set of a service is immutable (`KeySet` has no mutators), so a signature verified once
 * stays verified; token expiry is rechecked per hit.
 */
import type { UserRecord } from '@city/ports';
import type { MeResult, Principal } from '../auth-service.js';

export interface AccessEntry {
  readonly principal: Principal;
  /** The active user record read under `version` (for `me`). */
  readonly user: UserRecord;
  readonly version: string;
  /** First and last millisecond the token is acceptable (tolerance included). */
  readonly validFromMs: number;
  readonly validUntilMs: number;
  /** `me` for this principal, built on first use under `version`. */
  me?: MeResult;
  /** When (performance.now()) a lookup last confirmed `version` current. */
  confirmedAt?: number;
}

/**
 * How long after a confirmed lookup `me` may answer from the entry without asking the store for
 * its version again: long enough to cover one request (authenticate, then the route's `me`), so
 * a request pays for one version check. What `me` returns is then the state the request was
 * authorized on — the same answer as if a concurrent change had landed just after it.
 */
const SAME_REQUEST_MS = 50;

export class AccessCache {
  readonly #entries = new Map<string, AccessEntry>();
  readonly #byPrincipal = new WeakMap<Principal, AccessEntry>();

  constructor(
    private readonly maxEntries: number,
    private readonly versionOf: (() => string) | undefined,
  ) {}

  /** The version to build a new entry under, or undefined when caching is off. Read before the store reads. */
  currentVersion(): string | undefined {
    if (this.versionOf === undefined || this.maxEntries === 0) return undefined;
    return this.versionOf();
  }

  /** The principal of a token checked before, if nothing relevant changed and the token is still valid at `now`. */
  lookup(token: string, now: number): Principal | undefined {
    if (this.versionOf === undefined || this.maxEntries === 0) return undefined;
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.version !== this.versionOf() || now < entry.validFromMs || now > entry.validUntilMs) {
      this.#entries.delete(token);
      return undefined;
    }
    entry.confirmedAt = performance.now();
    return entry.principal;
  }

  remember(token: string, entry: AccessEntry): void {
    if (this.maxEntries === 0) return;
    entry.confirmedAt = performance.now();
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(token)) {
      // Oldest first (Map keeps insertion order): a cheap bound, no per-hit reordering.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
    this.#byPrincipal.set(entry.principal, entry);
  }

  /** The entry a principal came from: confirmed within the same request, or its version still current. */
  entryOf(principal: Principal): AccessEntry | undefined {
    const entry = this.#byPrincipal.get(principal);
    if (entry === undefined || this.versionOf === undefined) return undefined;
    if (entry.confirmedAt !== undefined && performance.now() - entry.confirmedAt < SAME_REQUEST_MS) {
      return entry;
    }
    if (entry.version !== this.versionOf()) return undefined;
    entry.confirmedAt = performance.now();
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }
}
