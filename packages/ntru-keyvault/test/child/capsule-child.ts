// Child process for cross-process tests: `wrap <publicKey> <keyHex>` prints a base64 capsule;
// `unwrap <privateKey> <capsuleBase64>` prints the key hex. Reads arguments from stdin as JSON.
import { decodeCapsule, encodeCapsule, unwrapKey, wrapKey } from '../../src/index.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
  op: 'wrap' | 'unwrap';
  key: string;
  data: string;
};
if (request.op === 'wrap') {
  const capsule = await wrapKey(Buffer.from(request.data, 'hex'), request.key, {
    label: 'city/cross-process',
  });
  process.stdout.write(encodeCapsule(capsule));
} else {
  const key = await unwrapKey(decodeCapsule(request.data), request.key, { label: 'city/cross-process' });
  process.stdout.write(Buffer.from(key).toString('hex'));
}
