/**
 * The objects `--json` prints for service results, with a fixed set and order of keys: the API's
 * serializer orders keys by its response schema, the in-process service by construction, and the
 * CLI's output must not depend on the transport.
 */
import type { DeviceSummary, MeResult } from '@city/registration-core';

/** `whoami --json`. */
export function meView(me: MeResult): Record<string, unknown> {
  return pick(me, [
    'uuid',
    'username',
    'email',
    'roles',
    'status',
    'createdAt',
    'name',
    'birthDate',
    'address',
    'phone',
    'mynumberLast4',
    'initialHarmonyToken',
    'deviceId',
    'sessionId',
  ]);
}

/** One entry of `devices list --json`, and `devices revoke --json`. */
export function deviceView(device: DeviceSummary): Record<string, unknown> {
  return pick(device, [
    'deviceId',
    'label',
    'status',
    'current',
    'algorithm',
    'fingerprint',
    'serialNumber',
    'createdAt',
    'notAfter',
    'revokedAt',
    'pairedFromDeviceId',
  ]);
}

function pick<T extends object>(value: T, keys: readonly (keyof T & string)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const field = value[key];
    if (field !== undefined && field !== null) out[key] = field;
  }
  return out;
}
