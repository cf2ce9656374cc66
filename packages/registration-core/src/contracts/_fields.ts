/**
 * Field schemas shared by the request contracts. A field's `maxLength` is the raw length refused
 * before any parsing (`TOO_LONG`); limits that apply after normalisation (NFKC, trimming) are
 * stated in the description and checked by the use case. Optional fields are `nullable`: a JSON
 * `null` is read as an absent field.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { CERTIFICATE_ALGORITHMS } from '../auth-config.js';

/** A string field of at most `maxLength` UTF-16 units. */
export function stringField(maxLength: number, description?: string) {
  return Type.String(description === undefined ? { maxLength } : { maxLength, description });
}

/** An optional field; `null` reads as absent. */
export function optionalField<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Unsafe<Static<T>>({ ...schema, nullable: true }));
}

/** Raw length of a free-text field of at most `characters` code points (NFC, trimmed). */
export function textField(characters: number, description: string) {
  return stringField(characters * 4 + 16, `${description}: 1-${characters} characters (NFC, trimmed)`);
}

/** The key algorithm of a server-generated key. */
export const KEY_ALGORITHM_FIELD = Type.Enum([...CERTIFICATE_ALGORITHMS], {
  type: 'string',
  description: 'key algorithm of a server-generated key (not with csr)',
});

/** A PKCS#10 PEM made on the device. */
export const CSR_FIELD = stringField(65_536, 'PKCS#10 PEM made on the device');

/** A device label. */
export const DEVICE_LABEL_FIELD = textField(64, 'device label');

/** A password as sent (type and size only; the policy applies on registration). */
export const PASSWORD_FIELD = stringField(4096, 'password');
