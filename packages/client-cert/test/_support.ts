/** Shared test material: CAs and device keys are generated once per file (RSA-3072 keygen is slow). */
import { execFileSync, spawnSync } from 'node:child_process';

export const USER_UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
export const DEVICE_ID = 'phone-1';

/** True when an `openssl` command-line tool is on PATH (used as a second, independent oracle). */
export const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

export function openssl(args: string[], input?: string | Uint8Array): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** PEM with one byte of its DER changed at `offset` (negative counts from the end). */
export function flipDerByte(pem: string, offset: number, mask = 0x01): string {
  const der = pemDer(pem);
  const i = offset < 0 ? der.length + offset : offset;
  der[i] = (der[i] ?? 0) ^ mask;
  return derPem(der);
}

export function pemDer(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

export function derPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The `code` of what `fn` throws (sync or async), or 'NO_THROW'. */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'NO_THROW';
  } catch (err) {
    return (err as { code?: string }).code ?? `NON_CITY:${String(err)}`;
  }
}

/** stdout and stderr of an openssl run that must succeed (some commands report on stderr). */
export function opensslWithDiagnostics(args: string[]): string {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
  return `${run.stdout}${run.stderr}`;
}
