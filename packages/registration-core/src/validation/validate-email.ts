/**
 * Email addresses, RFC 5322 "practical" subset (the dot-atom form of RFC 5322 §3.4.1, no quoted
 * local parts, no comments, no IP-literal domains), with RFC 5321 §4.5.3.1 length limits: local
 * part ≤ 64, domain labels ≤ 63, whole address ≤ 254. The domain is lower-cased; the canonical
 * form used for uniqueness (blind index) lower-cases the whole address.
 */
import { type FieldResult, fail, hasForbiddenCharacter, pass } from './_field-result.js';

/** A valid email: as stored and as compared. */
export interface NormalizedEmail {
  /** Local part as given, domain lower-cased. */
  readonly address: string;
  /** Whole address lower-cased (uniqueness and lookup). */
  readonly canonical: string;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Validates and normalises an email address.
 *
 * @throws never (returns a failure with a field issue code instead)
 * @example
 * ```ts
 * validateEmail('Alice@Example.COM'); // { ok: true, value: { address: 'Alice@example.com', canonical: 'alice@example.com' } }
 * ```
 */
export function validateEmail(value: string): FieldResult<NormalizedEmail> {
  if (hasForbiddenCharacter(value)) return fail('INVALID_CHARACTER', 'email contains a control character');
  const trimmed = value.trim();
  if (trimmed.length > 254) return fail('TOO_LONG', 'email must be at most 254 characters');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1)
    return fail('INVALID_FORMAT', 'email must look like name@example.com');
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1).toLowerCase();
  if (local.length > 64)
    return fail('TOO_LONG', 'the part of the email before "@" must be at most 64 characters');
  if (!LOCAL_PART.test(local)) return fail('INVALID_FORMAT', 'the part of the email before "@" is not valid');
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    return fail('INVALID_FORMAT', 'the email domain is not valid');
  }
  if (!TOP_LEVEL.test(labels[labels.length - 1] ?? '')) {
    return fail('INVALID_FORMAT', 'the email domain has no valid top-level domain');
  }
  const address = `${local}@${domain}`;
  return pass({ address, canonical: address.toLowerCase() });
}
