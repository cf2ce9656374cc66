import { describe, expect, it } from 'vitest';

describe('@city/cli exports', () => {
  it('exports exactly the documented names', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual(
      [
        'CLI_ERROR_CODES',
        'CLI_VERSION',
        'CliError',
        'EXIT_CODES',
        'PROFILE_FILES',
        'Profile',
        'createProgram',
        'defaultProfileBase',
        'exitCodeFor',
        'formatError',
        'resolveProfileDir',
        'runCli',
      ].sort(),
    );
  });
});
