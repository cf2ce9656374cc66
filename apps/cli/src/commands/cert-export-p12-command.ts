/**
 * `city cert export-p12` — the profile's device key, its certificate and the CA certificate as one
 * password-protected PKCS#12 file (RFC 7292) for OS keychains and browsers that log in with mTLS.
 * Only ECDSA P-256 and RSA keys are exported: today's keychains and browsers cannot import ML-DSA
 * (FIPS 204) or Ed25519 keys from a PKCS#12 file, so those profiles are refused with
 * `CERT_PKCS12_UNSUPPORTED` before any password is asked.
 */
import { resolve } from 'node:path';
import { CertificateError, exportPkcs12, inspectCertificate } from '@city/client-cert';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import {
  addOutputOptions,
  addProfileOptions,
  type CommonOptions,
  printResult,
  profileFor,
} from '../command-context.js';
import { readInputFile, writePrivateFile } from '../lib/_files.js';
import { obtainPassword } from '../lib/_prompts.js';
import type { CliIo } from '../lib/_terminal.js';

interface Options extends CommonOptions {
  readonly out?: string;
  readonly passwordStdin?: boolean;
  readonly ca?: boolean;
}

const EXPORTABLE = new Set(['ecdsa-p256', 'rsa-3072']);

/**
 * Registers `export-p12` under the `cert` command.
 *
 * @throws never
 * @example
 * ```ts
 * certExportP12Command(certCommand, io);
 * ```
 */
export function certExportP12Command(cert: Command, io: CliIo): void {
  const command = cert
    .command('export-p12')
    .description(
      "write the profile's device key, certificate and CA certificate as a PKCS#12 file (P-256 and RSA keys only)",
    )
    .option('--out <file>', 'where to write the .p12 (mode 0600, never overwritten)')
    .option('--password-stdin', 'read the import password from stdin instead of a hidden prompt')
    .option('--no-ca', 'leave the CA certificate out of the file');
  addProfileOptions(command);
  addOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
The file opens with the import password in macOS Keychain, Windows certificate stores, Firefox
and Chrome (NSS), and with: openssl pkcs12 -info -in device.p12

ML-DSA and Ed25519 device keys cannot go into PKCS#12 files that today's keychains and browsers
import: the command refuses them (error CERT_PKCS12_UNSUPPORTED). Register a device with
--alg ecdsa-p256 (or rsa-3072) for a browser or keychain that logs in with mTLS.

Examples:
  $ city cert export-p12 --out device.p12
  $ printf '%s\\n' "$P12_PASSWORD" | city cert export-p12 --profile laptop --out laptop.p12 --password-stdin`,
    )
    .action(async (options: Options) => {
      if (options.out === undefined)
        throw new CliError('USAGE_ERROR', 'missing --out <file> (where the .p12 goes)');
      const profile = profileFor(io, options);
      await profile.requireDevice();
      const certificatePem = await readInputFile(profile.path('certificate'), 'profile device certificate');
      const algorithm = inspectCertificate(certificatePem).algorithm;
      if (!EXPORTABLE.has(algorithm)) {
        throw new CertificateError(
          'CERT_PKCS12_UNSUPPORTED',
          `this profile's device key is ${algorithm}: today's OS keychains and browsers cannot import ${algorithm} keys from a PKCS#12 file. ` +
            'Keep using the profile with city, or register a device with --alg ecdsa-p256 (or rsa-3072) for mTLS in a browser or keychain',
        );
      }
      const privateKeyPem = await profile.requirePrivateKey();
      const caCertificatePem =
        options.ca === false
          ? undefined
          : await readInputFile(profile.path('caCertificate'), 'profile CA certificate');
      const password = await obtainPassword(io, {
        fromStdin: options.passwordStdin,
        message: 'Import password for the .p12',
        confirmTwice: options.passwordStdin !== true,
      });
      if (password.length === 0) throw new CliError('INPUT_INVALID', 'the import password must not be empty');
      const p12 = await exportPkcs12({
        certificatePem,
        privateKeyPem,
        password,
        ...(caCertificatePem === undefined ? {} : { caCertificatePem }),
      });
      const out = resolve(options.out);
      await writePrivateFile(out, p12, { exclusive: true });
      printResult(
        io,
        options,
        { file: options.out, algorithm, bytes: p12.byteLength, includesCa: caCertificatePem !== undefined },
        `wrote ${algorithm} key, certificate${caCertificatePem === undefined ? '' : ' and CA certificate'} to ${options.out}`,
      );
    });
}
