/** Refresh-token rotation with reuse detection and the retry grace window, on both sides of the window. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REFRESH_GRACE_SECONDS,
  decideRefresh,
  type RefreshFamilyState,
} from '../src/decide-refresh.js';

const T = 1_790_000_000_000;
const state: RefreshFamilyState = {
  generation: 4,
  status: 'active',
  rotatedAt: T,
  graceUntil: T + 10_000,
  deviceId: 'dev-1',
};

describe('decideRefresh', () => {
  it('rotates the current generation from its own device', () => {
    expect(decideRefresh(state, { generation: 4, deviceId: 'dev-1' }, T + 60_000)).toBe('rotate');
  });

  it('the current generation from another device is reuse (stolen token)', () => {
    expect(decideRefresh(state, { generation: 4, deviceId: 'dev-2' }, T + 1)).toBe('reuse');
  });

  it('previous generation, same device, inside the window → grace (up to and including graceUntil)', () => {
    expect(decideRefresh(state, { generation: 3, deviceId: 'dev-1' }, T)).toBe('grace');
    expect(decideRefresh(state, { generation: 3, deviceId: 'dev-1' }, T + 9_999)).toBe('grace');
    expect(decideRefresh(state, { generation: 3, deviceId: 'dev-1' }, T + 10_000)).toBe('grace');
  });

  it('previous generation just after the window → reuse', () => {
    expect(decideRefresh(state, { generation: 3, deviceId: 'dev-1' }, T + 10_001)).toBe('reuse');
  });

  it('previous generation from another device inside the window → reuse', () => {
    expect(decideRefresh(state, { generation: 3, deviceId: 'dev-2' }, T + 1)).toBe('reuse');
  });

  it('older generations are always reuse, even inside the window', () => {
    expect(decideRefresh(state, { generation: 2, deviceId: 'dev-1' }, T + 1)).toBe('reuse');
    expect(decideRefresh(state, { generation: 0, deviceId: 'dev-1' }, T + 1)).toBe('reuse');
  });

  it('a generation from the future is reuse (never trusted)', () => {
    expect(decideRefresh(state, { generation: 5, deviceId: 'dev-1' }, T + 1)).toBe('reuse');
  });

  it('a revoked family is revoked whatever is presented', () => {
    const revoked = { ...state, status: 'revoked' as const };
    for (const generation of [3, 4]) {
      expect(decideRefresh(revoked, { generation, deviceId: 'dev-1' }, T + 1)).toBe('revoked');
    }
  });

  it(`without graceUntil the window is rotatedAt + ${DEFAULT_REFRESH_GRACE_SECONDS} s`, () => {
    const { graceUntil: _g, ...noGrace } = state;
    expect(DEFAULT_REFRESH_GRACE_SECONDS).toBe(10);
    expect(decideRefresh(noGrace, { generation: 3, deviceId: 'dev-1' }, T + 10_000)).toBe('grace');
    expect(decideRefresh(noGrace, { generation: 3, deviceId: 'dev-1' }, T + 10_001)).toBe('reuse');
  });

  it('a configured shorter window is honoured', () => {
    const short = { ...state, graceUntil: T + 2_000 };
    expect(decideRefresh(short, { generation: 3, deviceId: 'dev-1' }, T + 2_000)).toBe('grace');
    expect(decideRefresh(short, { generation: 3, deviceId: 'dev-1' }, T + 2_001)).toBe('reuse');
  });

  it.each([
    ['state.generation', { ...state, generation: -1 }, { generation: 0, deviceId: 'd' }, T],
    ['state.generation', { ...state, generation: 1.5 }, { generation: 0, deviceId: 'd' }, T],
    ['presented.generation', state, { generation: '3', deviceId: 'd' }, T],
    ['deviceId', state, { generation: 3, deviceId: 7 }, T],
    ['state.status', { ...state, status: 'paused' }, { generation: 3, deviceId: 'd' }, T],
    ['state.rotatedAt', { ...state, rotatedAt: Number.NaN }, { generation: 3, deviceId: 'd' }, T],
    ['state.graceUntil', { ...state, graceUntil: '10' }, { generation: 3, deviceId: 'd' }, T],
    ['now', state, { generation: 3, deviceId: 'd' }, Number.POSITIVE_INFINITY],
    ['state', null, { generation: 3, deviceId: 'd' }, T],
    ['presented', state, undefined, T],
  ])('refuses a bad %s', (name, s, p, now) => {
    expect(() => decideRefresh(s as never, p as never, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`"${name}`) }),
    );
  });
});
