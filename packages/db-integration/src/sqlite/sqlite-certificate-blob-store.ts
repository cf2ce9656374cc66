/**
 * CertificateBlobStore on SQLite: table `certificate_blobs` (blob_key PRIMARY KEY, index on
 * (user_uuid, blob_key)), one row per certificate body. Keys have the shape of the S3 object
 * keys — `certificates/<userUuid>/<deviceId>/<serialNumber>.pem`, components URI-encoded so a
 * key cannot escape its user's prefix — so records move between adapters unchanged.
 */
import type { CertificateBlob, CertificateBlobStore } from '@city/ports';
import { requireObject, requireString } from './_guards.js';
import type { SqliteContext } from './_sqlite-context.js';
import { SqliteInputError } from './sqlite-input-error.js';

const KEY_MAX = 1024;
const PEM_MAX = 256 * 1024;

/** CertificateBlobStore backed by SQLite. */
export class SqliteCertificateBlobStore implements CertificateBlobStore {
  readonly #ctx: SqliteContext;
  readonly #upsert;
  readonly #read;
  readonly #byUser;
  readonly #delete;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#upsert = ctx.prepare(
      'INSERT INTO certificate_blobs (blob_key, user_uuid, record) VALUES (?, ?, ?) ' +
        'ON CONFLICT (blob_key) DO UPDATE SET user_uuid = excluded.user_uuid, record = excluded.record',
    );
    this.#read = ctx.prepare('SELECT record FROM certificate_blobs WHERE blob_key = ?');
    this.#byUser = ctx.prepare(
      'SELECT blob_key FROM certificate_blobs WHERE user_uuid = ? ORDER BY blob_key',
    );
    this.#delete = ctx.prepare('DELETE FROM certificate_blobs WHERE blob_key = ?');
  }

  async put(blob: CertificateBlob): Promise<string> {
    requireObject('blob', blob);
    const userUuid = requireString('blob.userUuid', blob.userUuid, KEY_MAX);
    const deviceId = requireString('blob.deviceId', blob.deviceId, KEY_MAX);
    const serialNumber = requireString('blob.serialNumber', blob.serialNumber, KEY_MAX);
    const pem = requireString('blob.pem', blob.pem, PEM_MAX);
    let json: Readonly<Record<string, unknown>> | undefined;
    if (blob.json !== undefined) {
      if (typeof blob.json !== 'object' || blob.json === null || Array.isArray(blob.json)) {
        throw new SqliteInputError('blob.json', '"blob.json" expected an object');
      }
      json = blob.json;
    }
    const record: CertificateBlob = {
      userUuid,
      deviceId,
      serialNumber,
      pem,
      ...(json === undefined ? {} : { json }),
    };
    let text: string;
    try {
      text = JSON.stringify(record);
    } catch (cause) {
      throw new SqliteInputError('blob.json', '"blob.json" is not JSON-serialisable', { cause });
    }
    if (text.length > 2 * PEM_MAX) {
      throw new SqliteInputError('blob', `"blob" expected at most ${2 * PEM_MAX} characters of JSON`);
    }
    const key = `certificates/${encodeURIComponent(userUuid)}/${encodeURIComponent(deviceId)}/${encodeURIComponent(serialNumber)}.pem`;
    try {
      this.#upsert.run(key, userUuid, text);
    } catch (error) {
      throw this.#ctx.fail(error, 'certificates.put');
    }
    return key;
  }

  async get(key: string): Promise<CertificateBlob | undefined> {
    const id = requireString('key', key, 4 * KEY_MAX);
    return this.#ctx.readRecord<CertificateBlob>(this.#read, 'certificates.get', id);
  }

  async listByUser(userUuid: string): Promise<readonly string[]> {
    const user = requireString('userUuid', userUuid, KEY_MAX);
    let rows: unknown[];
    try {
      rows = this.#byUser.all(user);
    } catch (error) {
      throw this.#ctx.fail(error, 'certificates.listByUser');
    }
    return rows.map((row) => (row as readonly string[])[0] as string);
  }

  async delete(key: string): Promise<void> {
    const id = requireString('key', key, 4 * KEY_MAX);
    try {
      this.#delete.run(id);
    } catch (error) {
      throw this.#ctx.fail(error, 'certificates.delete');
    }
  }
}
