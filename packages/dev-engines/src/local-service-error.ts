/**
 * Errors raised while starting local engines. `SERVICE_UNAVAILABLE` always names what to
 * install, so a skipped test or a failed embedded start tells the operator the next step.
 */
import { CityError } from '@city/errors';

/**
 * A local engine could not be started: `SERVICE_UNAVAILABLE` (a runtime or package is
 * missing) or `SERVICE_START_FAILED` (it is installed but did not come up).
 *
 * @example
 * ```ts
 * try { await startMotoServer(); } catch (e) { if (e instanceof LocalServiceError) console.error(e.message); }
 * ```
 */
export class LocalServiceError extends CityError {}
