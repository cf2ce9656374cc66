/**
 * PKCS#10 certification request (RFC 2986) built in the browser for a WebCrypto ECDSA P-256 key.
 *
 * DER (ITU-T X.690 §10) is written by hand because the request has a fixed, small shape:
 *   CertificationRequest ::= SEQUENCE {
 *     certificationRequestInfo SEQUENCE { version INTEGER 0, subject Name (CN=<commonName>),
 *                                          subjectPKInfo (SPKI from exportKey('spki')), attributes [0] {} },
 *     signatureAlgorithm ecdsa-with-SHA256 (1.2.840.10045.4.3.2, parameters absent — RFC 5758 §3.2),
 *     signature BIT STRING (Ecdsa-Sig-Value DER — RFC 3279 §2.2.3) }
 * WebCrypto signs in IEEE P1363 form (r‖s, 32 octets each, big-endian), so the signature is re-encoded as
 * two DER INTEGERs: leading zero octets stripped, one zero octet prepended when the high bit is set.
 * The private key never leaves WebCrypto: only `sign` is used, so a non-extractable key works.
 */

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const P256_SCALAR_OCTETS = 32;
const MAX_COMMON_NAME_LENGTH = 64;

/**
 * Encodes a DER length (definite form; long form for 128 and above).
 *
 * @param {number} length
 * @returns {Uint8Array}
 */
function derLength(length) {
  if (length < 0x80) return Uint8Array.of(length);
  const octets = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/**
 * Concatenates byte arrays.
 *
 * @param {readonly Uint8Array[]} parts
 * @returns {Uint8Array}
 */
function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * One DER TLV.
 *
 * @param {number} tag
 * @param {Uint8Array} contents
 * @returns {Uint8Array}
 */
export function derTlv(tag, contents) {
  return concatBytes([Uint8Array.of(tag), derLength(contents.length), contents]);
}

/**
 * SEQUENCE of already-encoded elements.
 *
 * @param {...Uint8Array} elements
 * @returns {Uint8Array}
 */
function derSequence(...elements) {
  return derTlv(0x30, concatBytes(elements));
}

/**
 * DER INTEGER for a non-negative big-endian magnitude (minimal octets; 0x00 prefix when the high bit is set).
 *
 * @param {Uint8Array} magnitude
 * @returns {Uint8Array}
 */
export function derUnsignedInteger(magnitude) {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const trimmed = magnitude.length === 0 ? Uint8Array.of(0) : magnitude.subarray(start);
  const contents = trimmed[0] >= 0x80 ? concatBytes([Uint8Array.of(0), trimmed]) : trimmed;
  return derTlv(0x02, contents);
}

/**
 * DER OBJECT IDENTIFIER from dotted text (first two arcs combined, base-128 for the rest).
 *
 * @param {string} dotted
 * @returns {Uint8Array}
 */
export function derObjectIdentifier(dotted) {
  const arcs = dotted.split('.').map(Number);
  /** @type {number[]} */
  const octets = [];
  for (const arc of [arcs[0] * 40 + arcs[1], ...arcs.slice(2)]) {
    const group = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128))
      group.unshift(0x80 | (rest & 0x7f));
    octets.push(...group);
  }
  return derTlv(0x06, Uint8Array.from(octets));
}

/**
 * Converts a WebCrypto ECDSA P-256 signature (IEEE P1363 r‖s, 64 octets) to Ecdsa-Sig-Value DER.
 *
 * @param {Uint8Array} raw
 * @returns {Uint8Array}
 * @throws {RangeError} when `raw` is not 64 octets.
 */
export function ecdsaRawToDer(raw) {
  if (!(raw instanceof Uint8Array) || raw.length !== 2 * P256_SCALAR_OCTETS) {
    throw new RangeError(`"raw" expected ${2 * P256_SCALAR_OCTETS} octets, got ${raw?.length}`);
  }
  return derSequence(
    derUnsignedInteger(raw.subarray(0, P256_SCALAR_OCTETS)),
    derUnsignedInteger(raw.subarray(P256_SCALAR_OCTETS)),
  );
}

/**
 * PEM armour (RFC 7468) with 64-character lines.
 *
 * @param {Uint8Array} der
 * @param {string} label
 * @returns {string}
 */
export function derToPem(der, label) {
  let binary = '';
  for (const octet of der) binary += String.fromCharCode(octet);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Builds a PKCS#10 CSR (PEM) for an ECDSA P-256 WebCrypto key pair, signed with its private key.
 *
 * @param {CryptoKeyPair} keyPair ECDSA P-256; the private key may be non-extractable.
 * @param {string} commonName subject CN, 1–64 characters.
 * @returns {Promise<string>}
 * @throws {TypeError} for a bad `commonName` or a key pair that is not ECDSA P-256.
 * @example
 * const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
 * const csrPem = await createCsrPem(pair, 'alice');
 */
export async function createCsrPem(keyPair, commonName) {
  if (
    typeof commonName !== 'string' ||
    commonName.length === 0 ||
    commonName.length > MAX_COMMON_NAME_LENGTH
  ) {
    throw new TypeError(`"commonName" expected a string of 1 to ${MAX_COMMON_NAME_LENGTH} characters`);
  }
  const algorithm = /** @type {EcKeyAlgorithm} */ (keyPair?.privateKey?.algorithm);
  if (algorithm?.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
    throw new TypeError('"keyPair" expected an ECDSA P-256 CryptoKeyPair');
  }
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
  const subject = derSequence(
    derTlv(
      0x31,
      derSequence(derObjectIdentifier(OID_COMMON_NAME), derTlv(0x0c, new TextEncoder().encode(commonName))),
    ),
  );
  const info = derSequence(
    derUnsignedInteger(Uint8Array.of(0)),
    subject,
    spki,
    derTlv(0xa0, new Uint8Array(0)),
  );
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keyPair.privateKey, info),
  );
  const signature = ecdsaRawToDer(raw);
  const request = derSequence(
    info,
    derSequence(derObjectIdentifier(OID_ECDSA_WITH_SHA256)),
    derTlv(0x03, concatBytes([Uint8Array.of(0), signature])),
  );
  return derToPem(request, 'CERTIFICATE REQUEST');
}
