/**
 * The byte strings a login password is tried as.
 *
 * Our hashes are made from the NFKC form; hashes imported from other systems (and the legacy
 * hashes) were made from the raw string. When the two differ, both are tried, NFKC first for PHC
 * strings and raw first for legacy ones. The dummy verification tries the same number of forms so an
 * unknown user costs what a known one does.
 */
import { assertPasswordLength, encodePassword } from './_guards.js';
import { nfkc } from './_normalize.js';

export function passwordCandidates(password: string, rawFirst: boolean): Buffer[] {
  assertPasswordLength(password);
  const normalized = nfkc(password);
  if (normalized === password) return [encodePassword(password)];
  const forms = rawFirst ? [password, normalized] : [normalized, password];
  return forms.map(encodePassword);
}
