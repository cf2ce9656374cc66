/**
 * The validity window a new certificate asks for (RFC 5280 4.1.2.5): `notBefore` is `options.now` (or the
 * clock) in whole seconds, `notAfter` is `validityDays` later. Shared by the CA and client-certificate
 * issuers so both read and bound their options the same way; issuance clamps the end to its CA afterwards.
 */
import { assertOptionalDate, assertPositiveInteger } from './_guards.js';
import { wholeSeconds } from './_x509.js';

const DAY_MS = 86_400_000;

export interface RequestedValidity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** `options.validityDays` (default `defaultDays`, 1 to `maxDays`) from `options.now`; `INVALID_ARGUMENT` otherwise. */
export function requestedValidity(
  options: { readonly validityDays?: unknown; readonly now?: unknown },
  defaultDays: number,
  maxDays: number,
): RequestedValidity {
  const validityDays = assertPositiveInteger(
    options.validityDays,
    'options.validityDays',
    defaultDays,
    maxDays,
  );
  const notBefore = wholeSeconds(assertOptionalDate(options.now, 'options.now'));
  return { notBefore, notAfter: new Date(notBefore.getTime() + validityDays * DAY_MS) };
}
