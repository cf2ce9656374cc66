import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { CityError, isCityError } from '../src/index.js';

class SampleError extends CityError {}

describe('CityError', () => {
  it('keeps code, message, fields and retry hint', () => {
    const err = new SampleError('SAMPLE_BAD', 'sample is bad', {
      fields: [{ field: 'x', code: 'REQUIRED', message: 'x is required' }],
      retryAfterSeconds: 3,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SampleError');
    expect(err.code).toBe('SAMPLE_BAD');
    expect(err.message).toBe('sample is bad');
    expect(err.fields?.[0]?.field).toBe('x');
    expect(err.retryAfterSeconds).toBe(3);
  });

  it('recognises city errors structurally and rejects look-alikes', () => {
    expect(isCityError(new SampleError('A', 'a'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { code: 'A', isCityError: true });
    expect(isCityError(foreign)).toBe(true);
    expect(isCityError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isCityError({ code: 'A' })).toBe(false);
  });

  it('pins the export list', () => {
    expect(Object.keys(api).sort()).toEqual(['CityError', 'isCityError']);
  });
});
