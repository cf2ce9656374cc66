/**
 * Reads one untrusted JSON body field by field against its request contract (a JSON Schema
 * object: its properties are the allowed fields, its `required` list and each property's
 * `maxLength` the defaults of every read), collecting every problem so the caller gets a
 * single `VALIDATION_FAILED` error listing each bad field. Only own properties of a plain object
 * are read (no prototype lookups, `__proto__` is just an unknown field); objects and arrays in a
 * scalar field (`{"$gt": ""}`) are `INVALID_TYPE`, never passed on to a store.
 */
import type { FieldIssue } from '@city/errors';
import type { TObject, TSchema } from 'typebox';
import { AuthError } from '../auth-error.js';
import { type FieldResult, hasForbiddenCharacter } from './_field-result.js';

/** Longest string accepted in any field before parsing (a CSR or token fits; 1 MB payloads do not). */
const MAX_RAW_LENGTH = 65_536;

export class InputReader {
  readonly issues: FieldIssue[] = [];
  private readonly body: Readonly<Record<string, unknown>>;
  private readonly allowed: ReadonlySet<string>;
  private readonly required: ReadonlySet<string>;
  private readonly properties: Readonly<Record<string, TSchema>>;

  /** `input` undefined/null is read as `{}` only when `optionalBody` is true. */
  constructor(input: unknown, contract: TObject, options: { optionalBody?: boolean } = {}) {
    this.properties = contract.properties;
    this.allowed = new Set(Object.keys(contract.properties));
    this.required = new Set(contract.required ?? []);
    if ((input === undefined || input === null) && options.optionalBody === true) {
      this.body = {};
      return;
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      this.body = {};
      this.issues.push({
        field: 'body',
        code: 'INVALID_TYPE',
        message: 'the request body must be a JSON object',
      });
      return;
    }
    const proto = Object.getPrototypeOf(input);
    if (proto !== Object.prototype && proto !== null) {
      this.body = {};
      this.issues.push({
        field: 'body',
        code: 'INVALID_TYPE',
        message: 'the request body must be a JSON object',
      });
      return;
    }
    this.body = input as Record<string, unknown>;
    for (const key of Object.keys(this.body)) {
      if (!this.allowed.has(key)) {
        this.issues.push({
          field: printable(key),
          code: 'UNKNOWN_FIELD',
          message: `unknown field "${printable(key)}"`,
        });
      }
    }
  }

  /** True when the field is present (own property, not undefined/null). */
  has(field: string): boolean {
    return Object.hasOwn(this.body, field) && this.body[field] !== undefined && this.body[field] !== null;
  }

  /** Whether the contract lists `field` as required. */
  isRequired(field: string): boolean {
    return this.required.has(field);
  }

  /** The contract's raw length limit of `field`. */
  private maxLengthOf(field: string): number {
    const maxLength = (this.properties[field] as { maxLength?: unknown } | undefined)?.maxLength;
    return typeof maxLength === 'number' ? maxLength : MAX_RAW_LENGTH;
  }

  /**
   * Raw string or undefined; records REQUIRED / INVALID_TYPE / INVALID_CHARACTER / TOO_LONG.
   * Required-ness and the length limit come from the contract unless given.
   */
  string(field: string, options: { required?: boolean; maxLength?: number } = {}): string | undefined {
    const required = options.required ?? this.isRequired(field);
    if (!this.has(field)) {
      if (required) this.add(field, 'REQUIRED', `${field} is required`);
      return undefined;
    }
    const value = this.body[field];
    if (typeof value !== 'string') {
      this.add(field, 'INVALID_TYPE', `${field} must be a string`);
      return undefined;
    }
    if (value.length > (options.maxLength ?? this.maxLengthOf(field))) {
      this.add(field, 'TOO_LONG', `${field} is too long`);
      return undefined;
    }
    if (value.includes('\u0000')) {
      this.add(field, 'INVALID_CHARACTER', `${field} must not contain NUL characters`);
      return undefined;
    }
    if (value.trim() === '') {
      if (required) this.add(field, 'REQUIRED', `${field} must not be empty`);
      else this.add(field, 'TOO_SHORT', `${field} must not be empty`);
      return undefined;
    }
    return value;
  }

  /** A string checked by `validate`; failures recorded under `field`. */
  field<T>(field: string, validate: (value: string) => FieldResult<T>): T | undefined {
    const raw = this.string(field);
    if (raw === undefined) return undefined;
    const result = validate(raw);
    if (!result.ok) {
      this.add(field, result.code, result.message);
      return undefined;
    }
    return result.value;
  }

  /** Free text: trimmed NFC, 1–`max` code points, no control characters. */
  text(field: string, max: number): string | undefined {
    return this.field(field, (raw) => validateText(field, raw, max));
  }

  /** One of `values`. */
  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const raw = this.string(field, { maxLength: 64 });
    if (raw === undefined) return undefined;
    if (!(values as readonly string[]).includes(raw)) {
      this.add(field, 'INVALID_FORMAT', `${field} must be one of ${values.join(', ')}`);
      return undefined;
    }
    return raw as T;
  }

  /** A non-negative safe integer (number, or a decimal digit string when `allowString`). */
  integer(
    field: string,
    options: { min?: number; max?: number; allowString?: boolean } = {},
  ): number | undefined {
    if (!this.has(field)) {
      if (this.isRequired(field)) this.add(field, 'REQUIRED', `${field} is required`);
      return undefined;
    }
    const value = this.body[field];
    let n: number;
    if (typeof value === 'number') {
      n = value;
    } else if (typeof value === 'string' && options.allowString === true) {
      if (!/^\d{1,16}$/.test(value.trim())) {
        this.add(field, 'INVALID_FORMAT', `${field} must be a non-negative whole number`);
        return undefined;
      }
      n = Number(value.trim());
    } else {
      this.add(field, 'INVALID_TYPE', `${field} must be a number`);
      return undefined;
    }
    if (!Number.isSafeInteger(n)) {
      this.add(
        field,
        Number.isFinite(n) && Number.isInteger(n) ? 'OUT_OF_RANGE' : 'INVALID_FORMAT',
        `${field} must be a whole number no larger than 2^53-1`,
      );
      return undefined;
    }
    const min = options.min ?? 0;
    if (n < min || (options.max !== undefined && n > options.max)) {
      this.add(
        field,
        'OUT_OF_RANGE',
        `${field} must be between ${min} and ${options.max ?? Number.MAX_SAFE_INTEGER}`,
      );
      return undefined;
    }
    return n;
  }

  /** The raw value of a field (for fields with a bespoke shape, e.g. arrays). */
  raw(field: string): unknown {
    return Object.hasOwn(this.body, field) ? this.body[field] : undefined;
  }

  add(field: string, code: string, message: string): void {
    this.issues.push({ field, code, message });
  }

  /** Throws `VALIDATION_FAILED` with every collected issue, if any. */
  finish(): void {
    if (this.issues.length > 0) {
      const summary = this.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
      throw new AuthError('VALIDATION_FAILED', `invalid input: ${summary}`, { fields: [...this.issues] });
    }
  }
}

function validateText(field: string, raw: string, max: number): FieldResult<string> {
  if (hasForbiddenCharacter(raw)) {
    return { ok: false, code: 'INVALID_CHARACTER', message: `${field} must not contain control characters` };
  }
  const value = raw.normalize('NFC').trim();
  const length = [...value].length;
  if (length < 1) return { ok: false, code: 'TOO_SHORT', message: `${field} must not be empty` };
  if (length > max)
    return { ok: false, code: 'TOO_LONG', message: `${field} must be at most ${max} characters` };
  return { ok: true, value };
}

/** Field names are echoed back: keep them short and printable. */
function printable(key: string): string {
  const cleaned = key.replace(/[\p{Cc}\p{Cs}]/gu, '?');
  return cleaned.length > 64 ? `${cleaned.slice(0, 64)}…` : cleaned;
}
