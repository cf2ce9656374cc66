/** NFKC, as NIST SP 800-63B section 5.1.1.2 recommends before hashing. */
export function nfkc(password: string): string {
  return password.normalize('NFKC');
}
