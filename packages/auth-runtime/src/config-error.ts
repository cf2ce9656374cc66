/** The error of an invalid configuration variable. */
import { CityError } from '@city/errors';

/**
 * A missing or invalid environment variable: `CONFIG_INVALID`, the message prefixed with the
 * variable's name, which `variable` also carries.
 *
 * @example
 * ```ts
 * try { loadCityConfig(process.env); } catch (e) { if (e instanceof ConfigError) console.error(e.variable); }
 * ```
 */
export class ConfigError extends CityError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CONFIG_INVALID', `${variable}: ${message}`);
    this.variable = variable;
  }
}
