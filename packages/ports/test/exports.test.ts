import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import {
  ConflictError,
  InvalidCursorError,
  NotFoundError,
  StoreUnavailableError,
  systemClock,
  systemRandom,
} from '../src/index.js';

describe('@city/ports', () => {
  it('pins the runtime export list', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ConflictError',
      'InvalidCursorError',
      'NotFoundError',
      'ROLES',
      'ROLE_PERMISSIONS',
      'StoreUnavailableError',
      'hasPermission',
      'systemClock',
      'systemRandom',
    ]);
  });

  it('store errors carry stable codes', () => {
    const c = new ConflictError('username');
    expect(c.code).toBe('CONFLICT');
    expect(c.field).toBe('username');
    expect(new NotFoundError().code).toBe('NOT_FOUND');
    const u = new StoreUnavailableError();
    expect(u.code).toBe('STORE_UNAVAILABLE');
    expect(u.retryAfterSeconds).toBe(5);
    expect(new InvalidCursorError().code).toBe('INVALID_CURSOR');
  });

  it('system sources give time and distinct random values', () => {
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
    expect(systemRandom.bytes(32)).toHaveLength(32);
    expect(systemRandom.uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(systemRandom.uuid()).not.toBe(systemRandom.uuid());
  });
});
