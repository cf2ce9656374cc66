/**
 * Birth dates: ISO 8601 calendar date `YYYY-MM-DD` (proleptic Gregorian), a real day, not before
 * 1900-01-01 and not after today. "Today" is taken at UTC+14, the earliest time zone, so nobody
 * born today anywhere is refused.
 */
import { type FieldResult, fail, pass } from './_field-result.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LATEST_OFFSET_MS = 14 * 3600_000;

/**
 * Validates a birth date against the clock `now`.
 *
 * @throws never (returns a failure with a field issue code instead)
 * @example
 * ```ts
 * validateBirthDate('2000-02-29', new Date()); // ok
 * validateBirthDate('2001-02-29', new Date()); // INVALID_FORMAT (no such day)
 * ```
 */
export function validateBirthDate(value: string, now: Date): FieldResult<string> {
  const match = ISO_DATE.exec(value.trim());
  if (match === null) return fail('INVALID_FORMAT', 'birth_date must be a date in the form YYYY-MM-DD');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return fail('INVALID_FORMAT', 'birth_date is not a real calendar date');
  }
  if (year < 1900) return fail('OUT_OF_RANGE', 'birth_date must not be before 1900-01-01');
  const today = new Date(now.getTime() + LATEST_OFFSET_MS).toISOString().slice(0, 10);
  const iso = match[0];
  if (iso > today) return fail('OUT_OF_RANGE', 'birth_date must not be in the future');
  return pass(iso);
}
