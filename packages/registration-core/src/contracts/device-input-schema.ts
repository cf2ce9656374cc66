/** The device renewal contract: which device, and a CSR or the algorithm of a server-generated key. */
import { type Static, Type } from 'typebox';
import { CSR_FIELD, KEY_ALGORITHM_FIELD, optionalField, stringField } from './_fields.js';

/** JSON Schema of the `renewDeviceCertificate` body (may be omitted entirely). */
export const RenewCertificateInputSchema = Type.Object(
  {
    device_id: optionalField(stringField(128, "the device to renew; default the caller's own device")),
    csr: optionalField(CSR_FIELD),
    key_algorithm: optionalField(KEY_ALGORITHM_FIELD),
  },
  { additionalProperties: false },
);

/** Body accepted by `renewDeviceCertificate`. */
export type RenewCertificateInput = Static<typeof RenewCertificateInputSchema>;
