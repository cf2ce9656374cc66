/**
 * Local key material, nothing sent anywhere: `city keygen --alg`, `city csr`, `city cert inspect <pem>`,
 * `city cert fingerprint <pem>`, `city cert export-p12`.
 */
import { resolve } from 'node:path';
import {
  certificateFingerprint,
  createCertificateSigningRequest,
  generateKeyPair,
  inspectCertificate,
  type KeyAlgorithm,
} from '@city/client-cert';
import { type Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { addOutputOptions, type CommonOptions, printResult } from '../command-context.js';
import { DEFAULT_DEVICE_ALGORITHM, DEVICE_ALGORITHMS } from '../device-key.js';
import { readInputFile, writePrivateFile } from '../lib/_files.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';
import { certExportP12Command } from './cert-export-p12-command.js';

interface KeygenOptions extends CommonOptions {
  readonly alg?: string;
  readonly out?: string;
  readonly publicOut?: string;
}

interface CsrOptions extends CommonOptions {
  readonly key?: string;
  readonly generateKey?: boolean;
  readonly alg?: string;
  readonly keyOut?: string;
  readonly cn?: string;
  readonly out?: string;
}

/**
 * Registers `keygen`, `csr` and `cert inspect|fingerprint` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * keyCommands(program, io);
 * ```
 */
export function keyCommands(program: Command, io: CliIo): void {
  const keygen = program
    .command('keygen')
    .description('generate a device key pair on this machine')
    .addOption(
      new Option('--alg <algorithm>', 'key algorithm')
        .choices(DEVICE_ALGORITHMS)
        .default(DEFAULT_DEVICE_ALGORITHM),
    )
    .option(
      '--out <file>',
      'write the private key here (mode 0600, never overwritten); without it the PEM goes to stdout',
    )
    .option('--public-out <file>', 'also write the public key (SPKI PEM) here');
  addOutputOptions(keygen);
  keygen
    .addHelpText(
      'after',
      `
Examples:
  $ city keygen --alg ml-dsa-65 --out device.key
  $ city keygen --alg ecdsa-p256 --out device.key --public-out device.pub --json`,
    )
    .action(async (options: KeygenOptions) => {
      const algorithm = (options.alg ?? DEFAULT_DEVICE_ALGORITHM) as KeyAlgorithm;
      const pair = await withSpinner(io, `generating a ${algorithm} key`, () => generateKeyPair(algorithm));
      if (options.out !== undefined)
        await writePrivateFile(resolve(options.out), pair.privateKeyPem, { exclusive: true });
      if (options.publicOut !== undefined)
        await writePrivateFile(resolve(options.publicOut), pair.publicKeyPem, { exclusive: true });
      const data =
        options.out === undefined
          ? { algorithm, privateKeyPem: pair.privateKeyPem, publicKeyPem: pair.publicKeyPem }
          : {
              algorithm,
              privateKeyFile: options.out,
              publicKeyFile: options.publicOut,
              publicKeyPem: pair.publicKeyPem,
            };
      printResult(
        io,
        options,
        data,
        options.out === undefined ? pair.privateKeyPem : `wrote ${algorithm} private key to ${options.out}`,
      );
    });

  const csr = program
    .command('csr')
    .description('create a PKCS#10 certificate signing request; the private key stays on this machine')
    .option('--key <file>', 'private key PEM to sign the request with')
    .option('--generate-key', 'generate a new key first (needs --key-out)')
    .addOption(
      new Option('--alg <algorithm>', 'algorithm for --generate-key (default ml-dsa-65)').choices(
        DEVICE_ALGORITHMS,
      ),
    )
    .option('--key-out <file>', 'where --generate-key writes the private key (0600)')
    .option('--cn <name>', 'subject common name (the server sets the real subject)')
    .option('--out <file>', 'write the CSR here instead of stdout');
  addOutputOptions(csr);
  csr
    .addHelpText(
      'after',
      `
Examples:
  $ city csr --key device.key --out device.csr
  $ city csr --generate-key --alg ed25519 --key-out device.key > device.csr
  $ city register --username alice --email a@example.com --csr device.csr --key device.key`,
    )
    .action(async (options: CsrOptions) => {
      if (options.generateKey === true && options.key !== undefined) {
        throw new CliError('USAGE_ERROR', '--key and --generate-key cannot be combined');
      }
      let privateKeyPem: string;
      let algorithm: string | undefined;
      if (options.generateKey === true) {
        if (options.keyOut === undefined)
          throw new CliError('USAGE_ERROR', 'missing --key-out (where the generated key is kept)');
        algorithm = options.alg ?? DEFAULT_DEVICE_ALGORITHM;
        const generated = await withSpinner(io, `generating a ${algorithm} key`, () =>
          generateKeyPair(algorithm as KeyAlgorithm),
        );
        await writePrivateFile(resolve(options.keyOut), generated.privateKeyPem, { exclusive: true });
        privateKeyPem = generated.privateKeyPem;
      } else {
        if (options.key === undefined)
          throw new CliError('USAGE_ERROR', 'missing --key (or --generate-key --key-out FILE)');
        if (options.alg !== undefined)
          throw new CliError('USAGE_ERROR', '--alg is only used with --generate-key');
        privateKeyPem = await readInputFile(options.key, 'private key file');
      }
      const pem = await createCertificateSigningRequest({
        privateKeyPem,
        ...(options.cn === undefined ? {} : { commonName: options.cn }),
      });
      if (options.out !== undefined) await writePrivateFile(resolve(options.out), pem);
      const data = {
        csrPem: pem,
        ...(options.out === undefined ? {} : { csrFile: options.out }),
        ...(options.keyOut === undefined ? {} : { privateKeyFile: options.keyOut }),
      };
      printResult(io, options, data, options.out === undefined ? pem : `wrote CSR to ${options.out}`);
    });

  const cert = program
    .command('cert')
    .description('look at certificates')
    .addHelpText(
      'after',
      `
Examples:
  $ city cert inspect device-cert.pem
  $ city cert fingerprint device-cert.pem
  $ city cert export-p12 --out device.p12`,
    );
  certExportP12Command(cert, io);

  const inspect = cert
    .command('inspect')
    .description('show subject, issuer, algorithm, validity and fingerprint of a PEM certificate')
    .argument('<pem>', 'certificate PEM file ("-" reads stdin)');
  addOutputOptions(inspect);
  inspect
    .addHelpText(
      'after',
      `
Examples:
  $ city cert inspect ~/.config/city/profiles/default/device-cert.pem
  $ city cert inspect client.pem --json | jq .notAfter`,
    )
    .action(async (path: string, options: CommonOptions) => {
      const info = inspectCertificate(await readCertificate(path, io));
      const data = {
        subject: info.subject,
        issuer: info.issuer,
        userUuid: info.userUuid,
        deviceId: info.deviceId,
        algorithm: info.algorithm,
        serialNumber: info.serialNumber,
        notBefore: info.notBefore.toISOString(),
        notAfter: info.notAfter.toISOString(),
        fingerprint: info.fingerprint,
      };
      printResult(
        io,
        options,
        data,
        [
          `subject:     ${info.subject}`,
          `issuer:      ${info.issuer}`,
          ...(info.userUuid === undefined ? [] : [`user uuid:   ${info.userUuid}`]),
          ...(info.deviceId === undefined ? [] : [`device id:   ${info.deviceId}`]),
          `algorithm:   ${info.algorithm}`,
          `serial:      ${info.serialNumber}`,
          `not before:  ${data.notBefore}`,
          `not after:   ${data.notAfter}`,
          `fingerprint: ${info.fingerprint}`,
        ].join('\n'),
      );
    });

  const fingerprint = cert
    .command('fingerprint')
    .description('print the SHA-256 fingerprint of a PEM certificate (DER, lower-case hex)')
    .argument('<pem>', 'certificate PEM file ("-" reads stdin)')
    .option('--colons', 'print as upper-case hex pairs separated by colons (OpenSSL style)');
  addOutputOptions(fingerprint);
  fingerprint
    .addHelpText(
      'after',
      `
Examples:
  $ city cert fingerprint device-cert.pem
  $ city cert fingerprint device-cert.pem --colons`,
    )
    .action(async (path: string, options: CommonOptions & { colons?: boolean }) => {
      const hex = certificateFingerprint(await readCertificate(path, io));
      const shown = options.colons === true ? (hex.toUpperCase().match(/../g) ?? []).join(':') : hex;
      printResult(io, options, { fingerprint: hex, algorithm: 'sha-256' }, shown);
    });
}

async function readCertificate(path: string, io: CliIo): Promise<string> {
  const text = await readInputFile(path, 'certificate file', io.stdin);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CliError('INPUT_INVALID', `${path === '-' ? 'stdin' : path} holds no PEM certificate`);
  }
  return text;
}
