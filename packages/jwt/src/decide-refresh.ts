/**
 * Refresh-token rotation decision with reuse detection (RFC 9700 §4.14.2) and a short retry
 * grace window: a client with several tabs or a flaky connection may present the previous
 * refresh token again right after a rotation; from the same device and within the window it
 * gets the same successor pair back instead of having its family revoked.
 */
import { JwtError } from './jwt-error.js';

/**
 * Default retry grace window after a rotation, in seconds (multi-tab and retrying clients).
 *
 * @example `graceUntil: rotatedAt + DEFAULT_REFRESH_GRACE_SECONDS * 1000`
 */
export const DEFAULT_REFRESH_GRACE_SECONDS = 10;

/** The stored state of a refresh-token family. Times are epoch milliseconds. */
export interface RefreshFamilyState {
  /** Generation of the newest token in the family. */
  generation: number;
  status: 'active' | 'revoked';
  /** When the family last rotated (epoch ms). */
  rotatedAt: number;
  /** End of the retry grace window (epoch ms); default `rotatedAt` + 10 s. */
  graceUntil?: number;
  /** The device the family belongs to. */
  deviceId: string;
}

/** The outcome of {@link decideRefresh}. */
export type RefreshDecision = 'rotate' | 'grace' | 'reuse' | 'revoked';

function assertGeneration(value: unknown, name: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new JwtError('INVALID_ARGUMENT', `"${name}" expected a non-negative integer`);
  }
}

function assertTime(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new JwtError('INVALID_ARGUMENT', `"${name}" expected a finite number of epoch milliseconds`);
  }
}

/**
 * Decides what to do with a presented refresh token, given its family's state. Pure.
 *
 * - `revoked`: the family is revoked — refuse.
 * - `rotate`: the current generation from its own device — issue generation + 1.
 * - `grace`: the previous generation, same device, `now <= graceUntil` — return the successor pair
 *   already issued (do not rotate again, do not revoke).
 * - `reuse`: anything else (older generation, outside the window, another device, a generation from
 *   the future) — revoke the whole family and raise an alert.
 *
 * @throws {JwtError} `INVALID_ARGUMENT` for non-integer generations, non-string device ids, non-finite times
 *   or an unknown status.
 * @example
 * ```ts
 * switch (decideRefresh(family, { generation: claims.generation!, deviceId: claims.deviceId }, Date.now())) {
 *   case 'rotate': ...; case 'grace': ...; case 'reuse': revokeFamily(); alert(); break; case 'revoked': ...
 * }
 * ```
 */
export function decideRefresh(
  state: RefreshFamilyState,
  presented: { generation: number; deviceId: string },
  now: number,
): RefreshDecision {
  if (typeof state !== 'object' || state === null)
    throw new JwtError('INVALID_ARGUMENT', '"state" expected an object');
  if (typeof presented !== 'object' || presented === null) {
    throw new JwtError('INVALID_ARGUMENT', '"presented" expected an object');
  }
  if (state.status !== 'active' && state.status !== 'revoked') {
    throw new JwtError('INVALID_ARGUMENT', '"state.status" expected "active" or "revoked"');
  }
  assertGeneration(state.generation, 'state.generation');
  assertGeneration(presented.generation, 'presented.generation');
  if (typeof state.deviceId !== 'string' || typeof presented.deviceId !== 'string') {
    throw new JwtError('INVALID_ARGUMENT', '"deviceId" expected a string');
  }
  assertTime(state.rotatedAt, 'state.rotatedAt');
  if (state.graceUntil !== undefined) assertTime(state.graceUntil, 'state.graceUntil');
  assertTime(now, 'now');

  if (state.status === 'revoked') return 'revoked';
  const sameDevice = presented.deviceId === state.deviceId;
  if (presented.generation === state.generation) return sameDevice ? 'rotate' : 'reuse';
  const graceUntil = state.graceUntil ?? state.rotatedAt + DEFAULT_REFRESH_GRACE_SECONDS * 1000;
  if (presented.generation === state.generation - 1 && sameDevice && now <= graceUntil) return 'grace';
  return 'reuse';
}
