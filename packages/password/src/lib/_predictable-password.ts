/**
 * Pattern rules for predictable passwords (NIST SP 800-63B section 5.1.1.2: reject "repetitive or
 * sequential characters" and dictionary words, including the variants attackers try first).
 *
 * A password is predictable when, after its decoration is removed (leading and trailing digits,
 * punctuation and spaces, then common letter-for-symbol substitutions undone), what is left is a
 * common password, or when it is made only of keyboard walks, character runs, alphabetical or
 * numerical sequences, or one short unit repeated. Inputs are NFKC, lower-cased.
 */

/** Rows and columns of a US QWERTY keyboard, walked in either direction. */
const KEYBOARD_LINES = [
  '`1234567890-=',
  'qwertyuiop[]\\',
  "asdfghjkl;'",
  'zxcvbnm,./',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/',
  'qazwsxedcrfvtgbyhnujmikolp',
];
const WALKS = [...KEYBOARD_LINES, ...KEYBOARD_LINES.map((line) => [...line].reverse().join(''))];

/** Look-alike substitutions undone before comparing with the list ("p@ssw0rd" is "password"). */
const UNLEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

/** Sequences are counted over ASCII letters and digits, the alphabets people count along. */
const SEQUENCE_CHAR = /^[a-z0-9]$/;

/** The shortest run, sequence or walk counted as a pattern. */
const MIN_PATTERN = 3;
/** The shortest core compared with the common-password list ("abc" of "abc12345" counts). */
const MIN_CORE = 3;

/** Strips leading and trailing digits, punctuation and spaces: "!!password2026!" → "password". */
export function stripDecoration(folded: string): string {
  return folded.replace(/^[\p{N}\p{P}\p{S}\p{Z}]+/u, '').replace(/[\p{N}\p{P}\p{S}\p{Z}]+$/u, '');
}

/** Undoes look-alike substitutions: "p@ssw0rd" → "password". */
export function unleet(folded: string): string {
  return [...folded].map((c) => UNLEET[c] ?? c).join('');
}

/** Length of the keyboard walk, run or ±1 ASCII sequence starting at `i` (0 when shorter than 3). */
function patternAt(chars: readonly string[], i: number): number {
  let best = 0;
  // Runs of one character, and sequences stepping by +1 or -1 code point.
  for (const step of [0, 1, -1]) {
    let j = i + 1;
    while (
      j < chars.length &&
      (step === 0 || SEQUENCE_CHAR.test(chars[j]!)) &&
      chars[j]!.codePointAt(0)! - chars[j - 1]!.codePointAt(0)! === step
    ) {
      j++;
    }
    best = Math.max(best, j - i);
  }
  for (const walk of WALKS) {
    let start = walk.indexOf(chars[i]!);
    while (start !== -1) {
      let n = 1;
      while (i + n < chars.length && walk[start + n] === chars[i + n]) n++;
      best = Math.max(best, n);
      start = walk.indexOf(chars[i]!, start + 1);
    }
  }
  return best >= MIN_PATTERN ? best : 0;
}

/** True when every character belongs to a walk, run or sequence of at least three. */
function madeOfPatterns(text: string): boolean {
  const chars = [...text];
  if (chars.length < MIN_PATTERN) return false;
  let i = 0;
  while (i < chars.length) {
    const n = patternAt(chars, i);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** True when `text` is one unit of at most four characters repeated ("abcabcabc", "20262026"). */
function repeatedUnit(text: string): boolean {
  const chars = [...text];
  for (let unit = 1; unit <= 4 && unit * 2 <= chars.length; unit++) {
    if (chars.length % unit !== 0) continue;
    if (chars.every((c, k) => c === chars[k % unit])) return true;
  }
  return false;
}

/**
 * True when the NFKC lower-cased `folded` password is predictable: a common password behind
 * decoration or substitutions, or only walks, runs, sequences or a repeated unit.
 */
export function isPredictablePassword(folded: string, common: ReadonlySet<string>): boolean {
  const core = stripDecoration(folded);
  if (core.length >= MIN_CORE) {
    const trailingStripped = folded.replace(/[\p{N}\p{P}\p{S}\p{Z}]+$/u, '');
    for (const candidate of new Set([core, unleet(core), unleet(trailingStripped)])) {
      if (candidate.length >= MIN_CORE && common.has(candidate)) return true;
    }
  }
  for (const text of [folded, core]) {
    if (text.length === 0) continue;
    if (repeatedUnit(text) || madeOfPatterns(text)) return true;
  }
  return false;
}
