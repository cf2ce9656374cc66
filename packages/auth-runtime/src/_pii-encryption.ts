/** Internal: how mongodb mode encrypts personal data (`CITY_MONGODB_PII`; see _mongo-pii-cipher). */
export type PiiEncryption = 'auto' | 'csfle' | 'field-cipher';

/** The values of `CITY_MONGODB_PII`. */
export const PII_ENCRYPTIONS: readonly PiiEncryption[] = ['auto', 'csfle', 'field-cipher'];
