/**
 * The pairing contracts: asking for a pairing token (an optional label for the device to be
 * paired) and redeeming one (exactly one of `pairing_token` and `qr_code`, plus the account's
 * username and password).
 */
import { type Static, Type } from 'typebox';
import {
  CSR_FIELD,
  DEVICE_LABEL_FIELD,
  KEY_ALGORITHM_FIELD,
  optionalField,
  PASSWORD_FIELD,
  stringField,
  textField,
} from './_fields.js';

/** JSON Schema of the `requestPairingToken` body: empty or omitted, or a label. */
export const PairingTokenRequestInputSchema = Type.Object(
  {
    device_label: optionalField(
      textField(
        64,
        'label of the device to be paired, carried in the QR payload (used when the redeemer sends none)',
      ),
    ),
  },
  { additionalProperties: false },
);

/** Body accepted by `requestPairingToken`. */
export type PairingTokenRequestInput = Static<typeof PairingTokenRequestInputSchema>;

/** JSON Schema of the `registerDeviceWithPairingToken` body. */
export const PairedDeviceInputSchema = Type.Object(
  {
    pairing_token: optionalField(stringField(256, 'the pairing token (43 base64url characters)')),
    qr_code: optionalField(stringField(1024, 'the whole pairing QR payload')),
    username: stringField(1024, 'the account username'),
    password: PASSWORD_FIELD,
    csr: optionalField(CSR_FIELD),
    key_algorithm: optionalField(KEY_ALGORITHM_FIELD),
    device_label: optionalField(DEVICE_LABEL_FIELD),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['pairing_token'] }, { required: ['qr_code'] }],
  },
);

/** Body accepted by `registerDeviceWithPairingToken`. */
export type PairedDeviceInput = Static<typeof PairedDeviceInputSchema>;
