/** Keeps secrets out of logs (internal): JSON, util.inspect and String() show a redacted form. */
import { inspect } from 'node:util';

export const REDACTED = '[REDACTED]';

export function redactSecrets<T extends object>(target: T, secretKeys: readonly string[]): T {
  const redacted = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(target)) out[key] = secretKeys.includes(key) ? REDACTED : value;
    return out;
  };
  Object.defineProperties(target, {
    toJSON: { value: redacted, enumerable: false },
    [inspect.custom]: { value: () => redacted(), enumerable: false },
    toString: { value: () => `[${target.constructor?.name ?? 'Object'} ${REDACTED}]`, enumerable: false },
  });
  return target;
}
