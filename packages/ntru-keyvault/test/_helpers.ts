import { expect } from 'vitest';
import { KeyVaultError } from '../src/keyvault-error.js';

export async function expectCode(
  promise: Promise<unknown> | (() => unknown),
  code: string | string[],
): Promise<KeyVaultError> {
  const codes = Array.isArray(code) ? code : [code];
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected KeyVaultError ${codes.join('|')}`).toBeInstanceOf(KeyVaultError);
  expect(codes).toContain((caught as KeyVaultError).code);
  return caught as KeyVaultError;
}
