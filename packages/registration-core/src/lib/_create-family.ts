/**
 * Creates a refresh-token family. Its id is a random uuid, so the port's `ConflictError` can
 * only mean a collision: answered as a retryable CONCURRENT_UPDATE, never as a 500.
 */
import type { RefreshFamilyRecord } from '@city/ports';
import { rethrowPortError } from './_port-errors.js';
import type { ServiceContext } from './_service-context.js';

export async function createFamily(ctx: ServiceContext, family: RefreshFamilyRecord): Promise<void> {
  try {
    await ctx.stores.refreshTokens.create(family);
  } catch (error) {
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
}
