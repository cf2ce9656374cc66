/**
 * The prompts of make-register-body and register, driven through a real pseudo-terminal (tmux):
 * hidden password input, the save question, and colour that obeys NO_COLOR.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueClientCertificate } from '@city/client-cert';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeWorkspace, modeOf, PASSWORD } from './helpers/run-city.js';
import { hasTmux, shellQuote, TmuxSession } from './helpers/tmux.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let session: TmuxSession | undefined;
let counter = 0;
const RED = `${String.fromCharCode(27)}[31m`;
const city = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`;

async function start(args: string, env: Record<string, string> = {}): Promise<TmuxSession> {
  counter += 1;
  const dir = join(ws.root, `tty-${counter}`);
  await mkdir(dir, { recursive: true });
  session = await TmuxSession.start(dir, `cd ${shellQuote(dir)} && ${city} ${args}`, {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: ws.root,
    TERM: 'xterm-256color',
    CITY_DATA_DIR: ws.dataDir,
    CITY_PROFILE_DIR: ws.profileDir,
    ...env,
  });
  return session;
}

beforeAll(async () => {
  if (hasTmux) ws = await makeWorkspace('tty');
});
afterEach(() => {
  session?.close();
  session = undefined;
});
afterAll(async () => {
  await ws?.cleanup();
});

describe.skipIf(!hasTmux)('interactive prompts in a terminal (needs tmux: apt-get install tmux)', () => {
  it('make-register-body asks for the PEM path, username and hidden password, then offers to save', async () => {
    const ca = await createCertificateAuthority({ algorithm: 'ed25519' });
    const issued = await issueClientCertificate({
      ca,
      userUuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
      deviceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      algorithm: 'ed25519',
    });
    const pemPath = join(ws.root, 'client_test_20250426T045523.pem');
    await writeFile(pemPath, issued.certificatePem);

    const tty = await start('make-register-body');
    await tty.waitFor('Client certificate (PEM) file path');
    tty.type(`"${pemPath}"`); // pasted with quotes, as Windows "Copy as path" does
    await tty.waitFor('Username to register');
    tty.type('alice');
    await tty.waitFor('Password');
    tty.type(PASSWORD);
    await tty.waitFor('Save to register_body_alice.json?');
    tty.type('y');
    const { code, stdout } = await tty.result();
    const screen = tty.screen();
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(PASSWORD);
    expect(screen).toContain('[OK] saved register_body_alice.json');
    const body = JSON.parse(stdout);
    expect(body).toEqual({
      username: 'alice',
      password: PASSWORD,
      client_cert_fp: new X509Certificate(issued.certificatePem).fingerprint256
        .replaceAll(':', '')
        .toLowerCase(),
    });
    const saved = join(ws.root, `tty-${counter}`, 'register_body_alice.json');
    expect(JSON.parse(await readFile(saved, 'utf8'))).toEqual(body);
    expect(await modeOf(saved)).toBe(0o600);
  });

  it('register prompts for username, email and the password twice, then registers', async () => {
    const tty = await start('register --json --profile tty-user');
    await tty.waitFor('Username');
    tty.type('ttyuser');
    await tty.waitFor('Email address');
    tty.type('tty@example.com');
    await tty.waitFor('Password');
    tty.type(PASSWORD);
    await tty.waitFor('Repeat the password');
    tty.type(PASSWORD);
    const { code, stdout } = await tty.result();
    const screen = tty.screen();
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(PASSWORD);
    const data = JSON.parse(stdout);
    expect(data).toMatchObject({ username: 'ttyuser', keySource: 'local' });
    expect(await modeOf(join(ws.profileDir, 'tty-user', 'device-key.pem'))).toBe(0o600);
  });

  it('register checks each answer as it is typed and asks again: username, email, password policy, repetition', async () => {
    const tty = await start('register --json --profile tty-check');
    await tty.waitFor('Username');
    tty.type('ab');
    // The messages are registration-core's and @city/password's own, word for word.
    await tty.waitFor('username must be at least 3 characters');
    tty.key('C-u');
    tty.type('.checker');
    await tty.waitFor('username must not start or end with "."');
    tty.key('C-u');
    tty.type('checker');
    await tty.waitFor('Email address');
    tty.type('checker-at-example.com');
    await tty.waitFor('email must look like name@example.com');
    tty.key('C-u');
    tty.type('checker@example.com');
    await tty.waitFor(/Password/);
    tty.type('short');
    await tty.waitFor('password must be at least 8 characters');
    tty.key('C-u');
    tty.type('password123');
    await tty.waitFor('password is too predictable');
    tty.key('C-u');
    tty.type('Violet-checker-1729');
    await tty.waitFor('password must not contain the username or e-mail name');
    tty.key('C-u');
    tty.type(PASSWORD);
    await tty.waitFor('Repeat the password');
    tty.type(`${PASSWORD}x`);
    await tty.waitFor('The two passwords differ; enter the password again.');
    await tty.waitFor(/differ; enter the password again\.\n.*Password/);
    tty.type(PASSWORD);
    await tty.waitFor(/again\.[\s\S]*Repeat the password/);
    tty.type(PASSWORD);
    const { code, stdout } = await tty.result();
    const screen = tty.screen();
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(PASSWORD);
    expect(JSON.parse(stdout)).toMatchObject({ username: 'checker', keySource: 'local' });
  });

  it('register gives up with PASSWORD_MISMATCH (exit 1) after three differing repetitions', async () => {
    const tty = await start('register --profile tty-mismatch --username mm-user --email mm@example.com');
    for (let round = 1; round <= 3; round += 1) {
      await tty.waitFor(new RegExp(`(Password[^\\n]*\\n?[\\s\\S]*){${round}}`));
      tty.type(PASSWORD);
      await tty.waitFor(new RegExp(`(Repeat the password[\\s\\S]*){${round}}`));
      tty.type(`${PASSWORD}${round}`);
    }
    const { code } = await tty.result();
    expect(code).toBe(1);
    const screen = tty.screen();
    expect(screen.match(/The two passwords differ/g)).toHaveLength(2);
    expect(screen).toContain('error PASSWORD_MISMATCH:');
  });

  it('errors are red on a terminal, and plain with NO_COLOR', async () => {
    const coloured = await start('cert inspect missing.pem');
    expect((await coloured.result()).code).toBe(1);
    expect(coloured.screen(true)).toContain(`${RED}error FILE_NOT_FOUND`);
    coloured.close();
    const plain = await start('cert inspect missing.pem', { NO_COLOR: '1' });
    expect((await plain.result()).code).toBe(1);
    const screen = plain.screen(true);
    expect(screen).toContain('error FILE_NOT_FOUND');
    expect(screen).not.toContain(RED);
  });
});
