/**
 * RecoveryCodeStore on DynamoDB: one item per user in the `unique_claims` table under the claim
 * key `recovery-codes#<userUuid>` (no table to provision beyond the existing ones), holding the
 * set id, the list of code hashes and a map `used` of hash → time of use. Replacing a set is one
 * Put of the whole item; consuming a code is ONE conditional UpdateItem —
 * `contains(codeHashes, :hash) AND attribute_not_exists(used.<hash>)` — so of N concurrent uses
 * of one code, on any number of instances, exactly one wins. A failed condition is classified
 * afterwards by a consistent read.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CityError } from '@city/errors';
import type { ConsumeResult, RecoveryCodeSetRecord, RecoveryCodeStore } from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names } from './_context.js';

const KEY_MAX = 256;
const MAX_CODES = 64;

interface RecoveryCodeItem {
  claim: string;
  userUuid: string;
  setId: string;
  codeHashes: string[];
  used: Record<string, number>;
  createdAt: number;
}

function claimKey(userUuid: unknown): string {
  return `recovery-codes#${requireString('userUuid', userUuid)}`;
}

function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > KEY_MAX) {
    throw new CityError('INVALID_ARGUMENT', `"${name}" expected a string of 1..${KEY_MAX} characters`);
  }
  return value;
}

function requireNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CityError('INVALID_ARGUMENT', `"${name}" expected a finite number`);
  }
  return value;
}

export class DynamoRecoveryCodeStore implements RecoveryCodeStore {
  constructor(private readonly ctx: DynamoContext) {}

  async replace(set: RecoveryCodeSetRecord): Promise<void> {
    if (typeof set !== 'object' || set === null) {
      throw new CityError('INVALID_ARGUMENT', '"set" expected an object');
    }
    const hashes = set.codeHashes;
    if (!Array.isArray(hashes) || hashes.length === 0 || hashes.length > MAX_CODES) {
      throw new CityError('INVALID_ARGUMENT', `"set.codeHashes" expected 1..${MAX_CODES} hashes`);
    }
    const codeHashes = hashes.map((hash, i) => requireString(`set.codeHashes[${i}]`, hash));
    if (new Set(codeHashes).size !== codeHashes.length) {
      throw new CityError('INVALID_ARGUMENT', '"set.codeHashes" expected distinct hashes');
    }
    if (!Array.isArray(set.usedCodeHashes) || set.usedCodeHashes.length !== 0) {
      throw new CityError('INVALID_ARGUMENT', '"set.usedCodeHashes" expected [] in a new set');
    }
    const item: RecoveryCodeItem = {
      claim: claimKey(set.userUuid),
      userUuid: set.userUuid,
      setId: requireString('set.setId', set.setId),
      codeHashes,
      used: {},
      createdAt: requireNumber('set.createdAt', set.createdAt),
    };
    await storeCall('replace recovery codes', () =>
      this.ctx.doc.send(new PutCommand({ TableName: this.ctx.tables.uniqueClaims, Item: item })),
    );
  }

  async get(userUuid: string): Promise<RecoveryCodeSetRecord | undefined> {
    const item = await this.#read(claimKey(userUuid));
    return item === undefined ? undefined : toRecord(item);
  }

  async consume(
    userUuid: string,
    codeHash: string,
    now: number,
  ): Promise<ConsumeResult<RecoveryCodeSetRecord>> {
    const claim = claimKey(userUuid);
    const hash = requireString('codeHash', codeHash);
    const at = requireNumber('now', now);
    try {
      const out = await storeCall('consume recovery code', () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Key: { claim },
            UpdateExpression: 'SET #used.#hash = :now',
            ConditionExpression:
              'attribute_exists(#claim) AND contains(#codeHashes, :hash) AND attribute_not_exists(#used.#hash)',
            ExpressionAttributeNames: { ...names('claim', 'codeHashes', 'used'), '#hash': hash },
            ExpressionAttributeValues: { ':now': at, ':hash': hash },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { ok: true, record: toRecord(out.Attributes as RecoveryCodeItem) };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const item = await this.#read(claim);
    if (item === undefined || !item.codeHashes.includes(hash)) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: 'used' };
  }

  async remove(userUuid: string): Promise<void> {
    const claim = claimKey(userUuid);
    await storeCall('remove recovery codes', () =>
      this.ctx.doc.send(new DeleteCommand({ TableName: this.ctx.tables.uniqueClaims, Key: { claim } })),
    );
  }

  async #read(claim: string): Promise<RecoveryCodeItem | undefined> {
    const out = await storeCall('read recovery codes', () =>
      this.ctx.doc.send(
        new GetCommand({ TableName: this.ctx.tables.uniqueClaims, Key: { claim }, ConsistentRead: true }),
      ),
    );
    const item = out.Item as RecoveryCodeItem | undefined;
    return item !== undefined && Array.isArray(item.codeHashes) ? item : undefined;
  }
}

function toRecord(item: RecoveryCodeItem): RecoveryCodeSetRecord {
  const used = item.used ?? {};
  return {
    userUuid: item.userUuid,
    setId: item.setId,
    codeHashes: [...item.codeHashes],
    usedCodeHashes: item.codeHashes.filter((hash) => used[hash] !== undefined),
    createdAt: item.createdAt,
  };
}
