import { CityError } from '@city/errors';
import { StoreUnavailableError } from '@city/ports';
import { AuthError } from '@city/registration-core';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli-error.js';
import { EXIT_CODES, exitCodeFor } from '../src/exit-code.js';
import { formatError } from '../src/format-error.js';

describe('formatError', () => {
  it('prints one line with the code, then one line per field issue, no stack', () => {
    const error = new AuthError('VALIDATION_FAILED', 'the input is invalid', {
      fields: [
        { field: 'email', code: 'INVALID_FORMAT', message: 'not an email\naddress' },
        { field: 'password', code: 'PASSWORD_TOO_SHORT', message: 'too short' },
      ],
    });
    expect(formatError(error)).toBe(
      'error VALIDATION_FAILED: the input is invalid\n  email: INVALID_FORMAT not an email address\n  password: PASSWORD_TOO_SHORT too short\n',
    );
  });
  it('adds the stack and causes only with debug', () => {
    const error = new CliError('FILE_NOT_FOUND', 'cannot read x', { cause: new Error('ENOENT inner') });
    expect(formatError(error)).not.toContain(' at ');
    const debug = formatError(error, { debug: true });
    expect(debug).toContain('CliError');
    expect(debug).toContain('caused by: Error: ENOENT inner');
  });
  it('labels non-City errors UNEXPECTED and keeps them on one line', () => {
    expect(formatError(new TypeError('boom\nsecond'))).toBe(
      'error UNEXPECTED: boom second (run with --debug for details)\n',
    );
  });
});

describe('exitCodeFor', () => {
  it.each([
    [new CliError('USAGE_ERROR'), EXIT_CODES.USAGE_ERROR],
    [new StoreUnavailableError(), EXIT_CODES.SERVICE_UNAVAILABLE],
    [new CliError('SERVICE_UNAVAILABLE'), EXIT_CODES.SERVICE_UNAVAILABLE],
    [new AuthError('INVALID_CREDENTIALS'), EXIT_CODES.USER_ERROR],
    [new CityError('CERT_MALFORMED', 'x'), EXIT_CODES.USER_ERROR],
    [new Error('bug'), EXIT_CODES.USER_ERROR],
  ])('%s → %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});
