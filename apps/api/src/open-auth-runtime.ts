/**
 * The API's use of `@city/auth-runtime`: the runtime for the configured mode (`openAuthRuntime`,
 * shared with the CLI) and what `buildApp` takes from it.
 */
import type { AuthRuntime } from '@city/auth-runtime';
import type { BuildAppOptions } from './build-app.js';

export { type AuthRuntime, authOverridesOf, openAuthRuntime } from '@city/auth-runtime';

/**
 * What `buildApp` needs from a runtime: the use cases, the store's counters (rate limits shared by
 * every instance on the same store) and the JWT keys with their issuer and audience.
 *
 * @throws never
 * @example
 * ```ts
 * const app = await buildApp({ ...appOptionsOf(runtime), config });
 * ```
 */
export function appOptionsOf(runtime: AuthRuntime): Pick<BuildAppOptions, 'auth' | 'counters' | 'jwt'> {
  return { auth: runtime.auth, counters: runtime.counters, jwt: runtime.jwt };
}
