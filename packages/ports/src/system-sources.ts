import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, Random } from './ports.js';

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The operating system CSPRNG. */
export const systemRandom: Random = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
  uuid: () => randomUUID(),
};
