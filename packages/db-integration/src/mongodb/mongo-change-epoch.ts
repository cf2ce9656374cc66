/**
 * The shared change epoch (see lib/shared-change-epoch) on MongoDB: one document
 * `epoch#auth-state` in the `deployment` collection (deployment fact names cannot contain `#`),
 * moved with an upserting `$inc` and read from the primary.
 */
import type { Collection } from 'mongodb';
import type { ChangeEpoch } from '../lib/shared-change-epoch.js';
import { withMongoErrors } from './_map-mongo-error.js';

const ID = 'epoch#auth-state';

/** The stored form of the epoch (in the deployment collection). */
export interface ChangeEpochDocument {
  _id: string;
  epoch?: number;
}

export class MongoChangeEpoch implements ChangeEpoch {
  readonly #collection: Collection<ChangeEpochDocument>;

  constructor(collection: Collection<ChangeEpochDocument>) {
    this.#collection = collection;
  }

  async read(): Promise<string> {
    const doc = await withMongoErrors({}, () => this.#collection.findOne({ _id: ID }));
    return String(doc?.epoch ?? 0);
  }

  async bump(): Promise<void> {
    await withMongoErrors({}, () =>
      this.#collection.updateOne({ _id: ID }, { $inc: { epoch: 1 } }, { upsert: true }),
    );
  }
}
