/** The error of an invalid configuration variable. */
import { CityError } from '@city/errors';

/** Where a configuration value came from when it was read from a file (`CITY_CONFIG_FILE`). */
export interface ConfigOrigin {
  /** The configuration file, as given. */
  readonly file: string;
  /** The 1-based line of an env file; JSON files name the key only. */
  readonly line?: number | undefined;
}

/**
 * A missing or invalid configuration variable: `CONFIG_INVALID`, the message prefixed with the
 * variable's name, which `variable` also carries; when the value came from a configuration file,
 * `origin` names the file (and the line of an env file) and the message ends with them.
 *
 * @example
 * ```ts
 * try { loadCityConfig(process.env); } catch (e) { if (e instanceof ConfigError) console.error(e.variable); }
 * ```
 */
export class ConfigError extends CityError {
  readonly variable: string;
  readonly origin: ConfigOrigin | undefined;
  constructor(variable: string, message: string, origin?: ConfigOrigin) {
    super(
      'CONFIG_INVALID',
      `${variable}: ${message}${origin === undefined ? '' : ` (${describeOrigin(origin)})`}`,
    );
    this.variable = variable;
    this.origin = origin;
  }
}

function describeOrigin(origin: ConfigOrigin): string {
  return origin.line === undefined ? `in ${origin.file}` : `${origin.file} line ${origin.line}`;
}
