import { argon2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PasswordError } from '../src/password-error.js';
import { verifyPassword } from '../src/verify-password.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');
const SALT = 'c29tZXNhbHRzb21lc2FsdA';
const HASH = 'ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g';

async function rejection(stored: string): Promise<PasswordError> {
  try {
    await verifyPassword(stored, 'pw');
  } catch (err) {
    expect(err).toBeInstanceOf(PasswordError);
    return err as PasswordError;
  }
  throw new Error('expected a rejection');
}

describe('malformed stored hashes answer PASSWORD_HASH_MALFORMED, never a crash', () => {
  const malformed = [
    '',
    '$',
    '$$',
    'plaintext-password',
    '$argon2id',
    '$argon2id$v=19',
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}$extra`,
    `$argon2id$v=19$m=19456,t=2$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1,x=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=019456,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=-1,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=1e4,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=0,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=0$${SALT}$${HASH}`,
    `$argon2id$v=19$m=15,t=2,p=2$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}=$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1$not*base64$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$AAA`,
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH.slice(0, -1)}B`,
    `$argon2id$v=x$m=19456,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1,data=!!$${SALT}$${HASH}`,
    '$scrypt$ln=10,r=8$c29tZXNhbHRzb21lc2FsdA$ZmFrZQ',
    '$scrypt$ln=0,r=8,p=1$c29tZXNhbHRzb21lc2FsdA$ZmFrZWhhc2g',
    '$UPPER$x',
    'sha256$zz$00',
    'sha256$0011$abcd',
    `sha256$001$${'a'.repeat(64)}`,
    `sha256$${'a'.repeat(64)}`,
    `sha256$0011$${'a'.repeat(64)}$extra`,
    '$'.repeat(5000),
    `$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${'A'.repeat(5000)}`,
  ];
  for (const stored of malformed) {
    it(
      JSON.stringify(stored.length > 80 ? `${stored.slice(0, 60)}…(${stored.length})` : stored),
      async () => {
        const err = await rejection(stored);
        expect(err.code).toBe('PASSWORD_HASH_MALFORMED');
        expect(err.message).toBe('stored password hash is malformed');
      },
    );
  }
});

describe('well-formed but unsupported hashes answer PASSWORD_HASH_UNSUPPORTED', () => {
  const unsupported = [
    '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW',
    '$pbkdf2-sha256$29000$N2bs3RtjzDmnlDLmPOc8pw$8mWDsa2XWkgAI4H5m2tOUEkIzRmRtMeBkavx1AqwQoc',
    '$bcrypt$whatever',
    `$argon2id$v=18$m=19456,t=2,p=1$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1,keyid=a2V5$${SALT}$${HASH}`,
    `$argon2id$v=19$m=19456,t=2,p=1$${'A'.repeat(88)}$${HASH}`,
  ];
  for (const stored of unsupported) {
    it(stored.slice(0, 60), async () => {
      expect((await rejection(stored)).code).toBe('PASSWORD_HASH_UNSUPPORTED');
    });
  }
});

describe('PHC optional fields', () => {
  it('a data= (associated data) field is used in verification', async () => {
    const nonce = randomBytes(16);
    const ad = Buffer.from('tenant-42');
    const tag = argon2Sync('argon2id', {
      message: 'pw',
      nonce,
      memory: 64,
      passes: 1,
      parallelism: 1,
      tagLength: 32,
      associatedData: ad,
    });
    const stored = `$argon2id$v=19$m=64,t=1,p=1,data=${b64(ad)}$${b64(nonce)}$${b64(tag)}`;
    expect((await verifyPassword(stored, 'pw')).valid).toBe(true);
    const otherData = stored.replace(`data=${b64(ad)}`, `data=${b64(Buffer.from('tenant-43'))}`);
    expect((await verifyPassword(otherData, 'pw')).valid).toBe(false);
  });

  it('parameters in another order are accepted', async () => {
    const nonce = randomBytes(16);
    const tag = argon2Sync('argon2id', {
      message: 'pw',
      nonce,
      memory: 64,
      passes: 1,
      parallelism: 1,
      tagLength: 32,
    });
    expect((await verifyPassword(`$argon2id$v=19$p=1,t=1,m=64$${b64(nonce)}$${b64(tag)}`, 'pw')).valid).toBe(
      true,
    );
  });
});
