import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_CONFIG, resolveAuthConfig } from '../src/auth-config.js';
import { AUTH_ERROR_CODES, AuthError, FIELD_ISSUE_CODES } from '../src/auth-error.js';
import { createAuthService } from '../src/create-auth-service.js';
import { createCrypto } from './support/auth-harness.js';
import { createMemoryStores } from './support/memory-stores.js';

describe('public API', () => {
  it('exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'AUTH_ERROR_CODES',
      'AddServiceClientInputSchema',
      'AdminTargetInputSchema',
      'AuthError',
      'CERTIFICATE_ALGORITHMS',
      'ChangeRoleInputSchema',
      'DEFAULT_AUTH_CONFIG',
      'FIELD_ISSUE_CODES',
      'IntrospectInputSchema',
      'ListAuditInputSchema',
      'ListUsersInputSchema',
      'LoginChallengeInputSchema',
      'LoginInputSchema',
      'PairedDeviceInputSchema',
      'PairingTokenRequestInputSchema',
      'ROLES',
      'ROLE_PERMISSIONS',
      'RecoverAccountInputSchema',
      'RefreshChallengeInputSchema',
      'RefreshInputSchema',
      'RegenerateRecoveryCodesInputSchema',
      'RegisterInputSchema',
      'RemoveServiceClientInputSchema',
      'RenewCertificateInputSchema',
      'RevokeTokenInputSchema',
      'SetRolesInputSchema',
      'SetUserStatusInputSchema',
      'checkRequest',
      'createAuthService',
      'hasPermission',
      'isValidMyNumber',
      'myNumberCheckDigit',
      'resolveAuthConfig',
      'validateBirthDate',
      'validateEmail',
      'validateMyNumber',
      'validatePhone',
      'validateRegisterInput',
      'validateUsername',
    ]);
  });

  it('every error code is UPPER_SNAKE with a one-line description', () => {
    for (const [code, description] of Object.entries({ ...AUTH_ERROR_CODES, ...FIELD_ISSUE_CODES })) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(description.length).toBeGreaterThan(10);
      expect(description).not.toContain('\n');
    }
    const e = new AuthError('TOKEN_EXPIRED');
    expect(e).toMatchObject({
      code: 'TOKEN_EXPIRED',
      message: AUTH_ERROR_CODES.TOKEN_EXPIRED,
      name: 'AuthError',
    });
  });

  it('the README documents exactly the error and field codes', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(
      [...Object.keys(AUTH_ERROR_CODES), ...Object.keys(FIELD_ISSUE_CODES)].sort(),
    );
  });

  it('the use cases throw only codes listed in AUTH_ERROR_CODES', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const root = new URL('../src/', import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const used = new Set<string>();
    for (const file of files) {
      const text = await readFile(new URL(file, root), 'utf8');
      for (const m of text.matchAll(/new AuthError\(\s*'([A-Z_]+)'/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(15);
    for (const code of used) expect(Object.keys(AUTH_ERROR_CODES)).toContain(code);
  });
});

describe('config', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_AUTH_CONFIG).toMatchObject({
      accessTokenTtlSeconds: 900,
      pairingTokenTtlSeconds: 600,
      challengeTtlSeconds: 120,
      refreshGraceSeconds: 10,
      defaultCertificateAlgorithm: 'ml-dsa-65',
      proofModes: { signature: true, mtls: true, fingerprint: false },
      defaultProofMode: 'signature',
    });
  });
  it('merges nested overrides and refuses nonsense with the name of the setting', () => {
    expect(resolveAuthConfig({ lockout: { baseLockSeconds: 5 } }).lockout).toMatchObject({
      baseLockSeconds: 5,
      accountFreeAttempts: 5,
    });
    expect(() => resolveAuthConfig({ accessTokenTtlSeconds: -1 })).toThrow(/"accessTokenTtlSeconds"/);
    expect(() => resolveAuthConfig({ accessTokenTtlSeconds: 0 })).toThrow(/"accessTokenTtlSeconds"/);
    expect(() => resolveAuthConfig({ lockout: { windowSeconds: 1.5 } })).toThrow(/"lockout.windowSeconds"/);
    expect(() => resolveAuthConfig({ proofModes: { signature: false, mtls: false } })).toThrow(/proofModes/);
    expect(() => resolveAuthConfig({ proofModes: { signature: false } })).toThrow(/defaultProofMode/);
    expect(() => resolveAuthConfig({ allowedCertificateAlgorithms: ['ed25519'] })).toThrow(
      /defaultCertificateAlgorithm/,
    );
    expect(() => resolveAuthConfig({ issuer: '' })).toThrow(/"issuer"/);
    expect(resolveAuthConfig({ refreshGraceSeconds: 0 }).refreshGraceSeconds).toBe(0);
  });
  it('createAuthService names a bad seal key', async () => {
    const crypto = await createCrypto();
    expect(() =>
      createAuthService({ ...crypto, stores: createMemoryStores(), sealKey: new Uint8Array(16) }),
    ).toThrow(/"sealKey" expected 32 bytes, got 16/);
    const auth = createAuthService({ ...crypto, stores: createMemoryStores() });
    expect(auth.jwks().keys).toHaveLength(1);
    expect(JSON.stringify(auth.jwks())).not.toMatch(/"d"/);
    expect(auth.caCertificatePem()).toBe(crypto.ca.certificatePem);
    await expect(auth.ready()).resolves.toBeUndefined();
  });
});
