/** Internal result shape of the single-field validators. */
import type { FieldIssueCode } from '../auth-error.js';

/** A field value that passed, normalised, or the reason it failed. */
export type FieldResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: FieldIssueCode | string; readonly message: string };

export function pass<T>(value: T): FieldResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: FieldIssueCode | string, message: string): FieldResult<T> {
  return { ok: false, code, message };
}

/** C0/C1 control characters (NUL included), DEL, and lone surrogates. */
const FORBIDDEN_CHARACTER = /[\p{Cc}]|\p{Cs}/u;

/** True when `value` contains a control character or is not well-formed UTF-16. */
export function hasForbiddenCharacter(value: string): boolean {
  return FORBIDDEN_CHARACTER.test(value) || !value.isWellFormed();
}
