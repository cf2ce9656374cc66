/**
 * ServiceClientStore on SQLite: table `service_clients (client_id PRIMARY KEY, record)`; the
 * primary key makes a taken id a `ConflictError('clientId')` whatever the race.
 */
import type { ServiceClientRecord, ServiceClientStore } from '@city/ports';
import { requireNumber, requireObject, requireString } from './_guards.js';
import type { SqliteContext, UniqueFields } from './_sqlite-context.js';

const UNIQUE: UniqueFields = { 'service_clients.client_id': 'clientId' };

/** ServiceClientStore backed by SQLite. */
export class SqliteServiceClientStore implements ServiceClientStore {
  readonly #ctx: SqliteContext;
  readonly #insert;
  readonly #byId;
  readonly #all;
  readonly #delete;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#insert = ctx.prepare('INSERT INTO service_clients (client_id, record) VALUES (?, ?)');
    this.#byId = ctx.prepare('SELECT record FROM service_clients WHERE client_id = ?');
    this.#all = ctx.prepare('SELECT record FROM service_clients ORDER BY client_id');
    this.#delete = ctx.prepare('DELETE FROM service_clients WHERE client_id = ?');
  }

  async create(client: ServiceClientRecord): Promise<void> {
    requireObject('client', client);
    const clientId = requireString('clientId', client.clientId, 256);
    requireString('name', client.name, 256);
    requireString('secretHash', client.secretHash, 256);
    requireNumber('createdAt', client.createdAt);
    const record: ServiceClientRecord = {
      clientId,
      name: client.name,
      secretHash: client.secretHash,
      createdAt: client.createdAt,
    };
    try {
      this.#insert.run(clientId, JSON.stringify(record));
    } catch (error) {
      throw this.#ctx.fail(error, 'serviceClients.create', UNIQUE);
    }
  }

  async get(clientId: string): Promise<ServiceClientRecord | undefined> {
    const id = requireString('clientId', clientId, 256);
    return this.#ctx.readRecord<ServiceClientRecord>(this.#byId, 'serviceClients.get', id);
  }

  async list(): Promise<readonly ServiceClientRecord[]> {
    return this.#ctx.readRecords<ServiceClientRecord>(this.#all, 'serviceClients.list');
  }

  async remove(clientId: string): Promise<boolean> {
    const id = requireString('clientId', clientId, 256);
    try {
      return Number(this.#delete.run(id).changes) > 0;
    } catch (error) {
      throw this.#ctx.fail(error, 'serviceClients.remove');
    }
  }
}
