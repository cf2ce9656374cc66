/**
 * The check digit of the Japanese individual number (個人番号, "My Number"), per 行政手続における
 * 特定の個人を識別するための番号の利用等に関する法律施行令 第8条 and 総務省令第八十五号 第五条:
 *
 *   check = 11 − (Σ_{n=1..11} Pn × Qn mod 11), or 0 when that remainder is ≤ 1,
 *   Pn = the n-th digit counted from the right of the first 11 digits,
 *   Qn = n + 1 for 1 ≤ n ≤ 6, n − 5 for 7 ≤ n ≤ 11.
 */

/**
 * Computes the check digit for the first 11 digits of a My Number.
 *
 * @throws {TypeError} when `base` is not exactly 11 ASCII digits
 * @example
 * ```ts
 * myNumberCheckDigit('98320567321'); // 4
 * ```
 */
export function myNumberCheckDigit(base: string): number {
  if (typeof base !== 'string' || !/^\d{11}$/.test(base)) {
    throw new TypeError('"base" expected 11 digits');
  }
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = base.charCodeAt(11 - n) - 48;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/**
 * True when `value` is 12 ASCII digits whose last digit is the correct check digit.
 *
 * @throws never
 * @example
 * ```ts
 * isValidMyNumber('983205673214'); // true
 * ```
 */
export function isValidMyNumber(value: string): boolean {
  if (typeof value !== 'string' || !/^\d{12}$/.test(value)) return false;
  return myNumberCheckDigit(value.slice(0, 11)) === value.charCodeAt(11) - 48;
}
