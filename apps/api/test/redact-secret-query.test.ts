/**
 * Secrets in logged URLs: every spelling of a secret-bearing query parameter loses its value, and
 * everything else in the URL is kept as it was (the log stays useful).
 */
import { describe, expect, it } from 'vitest';
import { redactSecretQuery } from '../src/redact-secret-query.js';

describe('redactSecretQuery', () => {
  it.each([
    ['/login?password=hunter2', '/login?password=[redacted]'],
    ['/pair?token=abc&lang=ja', '/pair?token=[redacted]&lang=ja'],
    ['/devices?pairing_token=t1&username=alice', '/devices?pairing_token=[redacted]&username=alice'],
    ['/token/refresh?refresh_token=r1', '/token/refresh?refresh_token=[redacted]'],
    ['/x?access_token=a1', '/x?access_token=[redacted]'],
    ['/cb?code=c1&state=s1', '/cb?code=[redacted]&state=s1'],
    ['/register?my_number=123456789018', '/register?my_number=[redacted]'],
    ['/register?mynumber=123456789018', '/register?mynumber=[redacted]'],
    ['/register?My-Number=123456789018', '/register?My-Number=[redacted]'],
    ['/register?PASSWORD=x', '/register?PASSWORD=[redacted]'],
    [
      '/register?new_password=x&current_password=y',
      '/register?new_password=[redacted]&current_password=[redacted]',
    ],
    ['/x?client_secret=s', '/x?client_secret=[redacted]'],
    ['/x?%70assword=x', '/x?%70assword=[redacted]'],
    ['/x?pass+word=x', '/x?pass+word=[redacted]'],
    ['/x?password[]=a&password[]=b', '/x?password[]=[redacted]&password[]=[redacted]'],
    ['/x?qr_code=city-auth%3Apair%3Ftoken%3Dz', '/x?qr_code=[redacted]'],
    ['/x?signature=s&private_key=k&csr=c', '/x?signature=[redacted]&private_key=[redacted]&csr=[redacted]'],
    ['/x?password=a=b=c', '/x?password=[redacted]'],
    ['/x?%zz=1&password=2', '/x?%zz=1&password=[redacted]'],
  ])('%s → %s', (url, expected) => {
    expect(redactSecretQuery(url)).toBe(expected);
  });

  it.each([
    '/me',
    '/admin/users?limit=10&cursor=abc',
    '/admin/audit?user_uuid=00000000-0000-4000-8000-000000000000',
    '/x?',
    '/x?&&',
    '/x?flag',
    '/x?username=alice&lang=ja',
  ])('keeps %s unchanged', (url) => {
    expect(redactSecretQuery(url)).toBe(url);
  });
});
