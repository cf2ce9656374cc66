/**
 * DeploymentStore on SQLite: table `deployment` (name PRIMARY KEY). A claim is one
 * `INSERT … ON CONFLICT DO NOTHING` followed by a read, so of racing writers (in this process or
 * others on the same file) the first insert stands.
 */
import type { DeploymentStore } from '@city/ports';
import { requireString } from './_guards.js';
import type { SqliteContext } from './_sqlite-context.js';
import { SqliteInputError } from './sqlite-input-error.js';

const NAME = /^[a-z0-9-]{1,64}$/;
const VALUE_MAX = 1024;

function requireName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new SqliteInputError('name', '"name" expected 1..64 characters of [a-z0-9-]');
  }
  return name;
}

/** DeploymentStore backed by SQLite. */
export class SqliteDeploymentStore implements DeploymentStore {
  readonly #ctx: SqliteContext;
  readonly #insert;
  readonly #select;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#insert = ctx.prepare(
      'INSERT INTO deployment (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.#select = ctx.prepare('SELECT value FROM deployment WHERE name = ?');
  }

  async get(name: string): Promise<string | undefined> {
    const key = requireName(name);
    try {
      const row = this.#select.get(key) as unknown as readonly unknown[] | undefined;
      return typeof row?.[0] === 'string' ? row[0] : undefined;
    } catch (error) {
      throw this.#ctx.fail(error, 'deployment.get');
    }
  }

  async claim(name: string, value: string): Promise<string> {
    const key = requireName(name);
    const claimed = requireString('value', value, VALUE_MAX);
    try {
      this.#insert.run(key, claimed);
      const row = this.#select.get(key) as unknown as readonly [string];
      return row[0];
    } catch (error) {
      throw this.#ctx.fail(error, 'deployment.claim');
    }
  }
}
