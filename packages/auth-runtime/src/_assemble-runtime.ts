/**
 * The one assembly of a runtime from opened stores and their secrets, shared by the embedded and the
 * configured openers: the use cases behind the close gate, the JWT verification facts, and a close
 * that lets in-flight writes finish before the stores (and any engine) go away.
 */
import type { Clock, Random, Stores } from '@city/ports';
import { type AuthConfigOverrides, createAuthService, resolveAuthConfig } from '@city/registration-core';
import { closeGate } from './_close-gate.js';
import type { LoadedSecrets } from './_load-secrets.js';
import type { AuthRuntime } from './open-embedded-auth.js';

/** What both openers pass through to the use cases. */
export interface RuntimeServiceOptions {
  readonly config?: AuthConfigOverrides | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: Random | undefined;
  readonly onInternalError?: ((error: unknown, where: string) => void) | undefined;
}

/** Builds the runtime; `stop` closes the stores and stops their engines, called once after the drain. */
export function assembleRuntime(
  stores: Stores,
  secrets: LoadedSecrets,
  options: RuntimeServiceOptions,
  describe: Readonly<Record<string, string>>,
  stop: () => Promise<void>,
): AuthRuntime {
  const gate = closeGate(stores, (gatedStores) =>
    createAuthService({
      stores: gatedStores,
      ca: secrets.ca,
      keys: secrets.keys,
      fieldCipher: secrets.fieldCipher,
      sealKey: secrets.sealKey,
      counterKey: secrets.counterKey,
      config: options.config,
      clock: options.clock,
      random: options.random,
      onInternalError: options.onInternalError,
    }),
  );
  let closed: Promise<void> | undefined;
  const { issuer, audience } = resolveAuthConfig(options.config ?? {});
  return {
    auth: gate.auth,
    counters: gate.stores.counters,
    jwt: { keys: secrets.keys, issuer, audience },
    describe: { ...describe, keyvault: secrets.vault.status().store, rootKey: secrets.rootKeySource },
    close: () => {
      closed ??= gate.drain().then(stop);
      return closed;
    },
  };
}
