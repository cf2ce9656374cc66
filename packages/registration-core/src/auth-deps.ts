/**
 * What `createAuthService` is built from: the ports (stores), the device CA, the JWT key set,
 * the field cipher for PII, a key for sealing refresh grace data, configuration, and the clock
 * and randomness sources tests replace.
 */
import type { CertificateAuthority } from '@city/client-cert';
import type { KeySet } from '@city/jwt';
import type { FieldCipher } from '@city/ntru-keyvault';
import type { Clock, Random, Stores } from '@city/ports';
import type { AuthConfig, AuthConfigOverrides } from './auth-config.js';

/** Dependencies of {@link createAuthService}. */
export interface AuthDeps {
  readonly stores: Stores;
  /** The CA that issues and verifies device certificates (with its private key). */
  readonly ca: CertificateAuthority;
  /** JWT signing/verification keys. */
  readonly keys: KeySet;
  /** AES-256-GCM field encryption and blind indexes for PII. */
  readonly fieldCipher: FieldCipher;
  /** 32-byte AES-256-GCM key sealing the successor token pair kept for the refresh retry grace window. */
  readonly sealKey: Uint8Array;
  /**
   * 32-byte HMAC-SHA-256 key under which failure-counter keys are derived from identifiers and
   * addresses; stable across restarts and shared by every instance. Default: derived from `sealKey`.
   */
  readonly counterKey?: Uint8Array | undefined;
  /** Full config or overrides of the defaults. */
  readonly config?: AuthConfig | AuthConfigOverrides | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: Random | undefined;
  /**
   * Called with errors the use cases deliberately swallow (audit or notification writes after the
   * operation succeeded), so the host can log them. Never receives secrets.
   */
  readonly onInternalError?: ((error: unknown, where: string) => void) | undefined;
}
