/**
 * Set-up calls against the City Chain Auth API (not timed): register users with a server-generated
 * device key, fetch login challenges and sign them with @city/client-cert `signChallenge`, log in.
 */
import { randomBytes } from 'node:crypto';
import { signChallenge } from '@city/client-cert';
import { postJson } from './load.ts';

export const BENCH_PASSWORD = 'Tr0ub4dor&3-correct-horse';

export interface CityUser {
  readonly username: string;
  readonly uuid: string;
  readonly deviceId: string;
  readonly privateKeyPem: string;
}

/** A short random tag so repeated runs on one data directory never collide on usernames. */
export function runTag(): string {
  return randomBytes(4).toString('hex');
}

export function registerBody(tag: string, i: number): Record<string, string> {
  const username = `u${tag}${i}`;
  return { username, email: `${username}@bench.example`, password: BENCH_PASSWORD };
}

export async function registerUser(url: string, tag: string, i: number): Promise<CityUser> {
  const body = registerBody(tag, i);
  const result = await postJson<{ uuid: string; deviceId: string; privateKeyPem?: string }>(
    `${url}/register`,
    body,
  );
  if (result.privateKeyPem === undefined) throw new Error('registration returned no private key');
  return {
    username: body.username ?? '',
    uuid: result.uuid,
    deviceId: result.deviceId,
    privateKeyPem: result.privateKeyPem,
  };
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await task(items[i] as T);
      }
    }),
  );
  return out;
}

/** A login body with a fresh challenge signed by the user's device key. */
export async function signedLoginBody(url: string, user: CityUser): Promise<string> {
  const challenge = await postJson<{ challengeId: string; challenge: string }>(`${url}/login/challenge`, {});
  return JSON.stringify({
    identifier: user.username,
    password: BENCH_PASSWORD,
    proof: 'signature',
    challenge_id: challenge.challengeId,
    signature: signChallenge(user.privateKeyPem, challenge.challenge),
    device_id: user.deviceId,
  });
}

export async function login(url: string, user: CityUser): Promise<{ accessToken: string }> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: await signedLoginBody(url, user),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`login → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { accessToken: string };
}
