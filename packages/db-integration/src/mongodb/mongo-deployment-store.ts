/**
 * DeploymentStore on MongoDB: collection `deployment`, `_id` = name. A claim is an insert that
 * ignores the duplicate-key error, then a read: the first insert stands on every server,
 * FerretDB included (no transactions or upsert races involved).
 */
import type { DeploymentStore } from '@city/ports';
import type { Collection } from 'mongodb';
import { requireString } from './_guards.js';
import {
  isDuplicateKeyError,
  toPortError,
  type UniqueFieldNames,
  withMongoErrors,
} from './_map-mongo-error.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'name' };
const NAME = /^[a-z0-9-]{1,64}$/;

/** The stored form of a deployment fact. */
export interface DeploymentDocument {
  _id: string;
  value: string;
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new MongoInputError('name', '"name" expected 1..64 characters of [a-z0-9-]');
  }
  return name;
}

/** DeploymentStore backed by MongoDB. */
export class MongoDeploymentStore implements DeploymentStore {
  readonly #facts: Collection<DeploymentDocument>;

  constructor(facts: Collection<DeploymentDocument>) {
    this.#facts = facts;
  }

  async get(name: string): Promise<string | undefined> {
    const id = requireName(name);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#facts.findOne({ _id: id }));
    return typeof doc?.value === 'string' ? doc.value : undefined;
  }

  async claim(name: string, value: string): Promise<string> {
    const id = requireName(name);
    const claimed = requireString('value', value, 1024);
    try {
      await this.#facts.insertOne({ _id: id, value: claimed });
      return claimed;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw toPortError(error);
    }
    const stored = await this.get(id);
    if (stored === undefined)
      throw toPortError(new Error(`deployment fact ${id} vanished after a duplicate key`));
    return stored;
  }
}
