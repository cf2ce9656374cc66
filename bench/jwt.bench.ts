/**
 * JWT sign and verify throughput for EdDSA (RFC 8037), ES256 (RFC 7518) and ML-DSA-65 (RFC 9964):
 * @city/jwt `signAccessToken` / `verifyToken` vs `jose` `SignJWT` / `jwtVerify`, same key material
 * (exported from @city/jwt as JWK and imported into jose once), same header and claims, same checks
 * on verify (alg allow-list, typ, iss, aud, exp). Measured sequentially and with 16 operations in
 * flight (both libraries run the signature on the libuv pool / WebCrypto).
 */
import { generateSigningKey, type JwtAlgorithm, KeySet, signAccessToken, verifyToken } from '@city/jwt';
import { importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { throughput } from './lib/measure.ts';
import { type Comparison, report } from './lib/report.ts';

const DURATION_MS = Number(process.env.BENCH_JWT_DURATION_MS ?? 1600);
const TRIALS = 5;
const CONCURRENCY = 16;
const ISSUER = 'https://auth.city.example';
const AUDIENCE = 'city-api';
const ALGORITHMS: JwtAlgorithm[] = ['EdDSA', 'ES256', 'ML-DSA-65'];

const rows: Comparison[] = [];
const details: Record<string, unknown> = {};
for (const alg of ALGORITHMS) {
  const key = await generateSigningKey(alg);
  const keys = KeySet.create([key]);
  const { kid: _kid, ...privateJwk } = key.exportPrivate().jwk as JWK & { kid?: string };
  const publicJwk = key.publicJwk() as JWK;
  const josePrivate = await importJWK(privateJwk, alg);
  const josePublic = await importJWK(publicJwk, alg);
  const claims = { sub: '6f1c2a7e-2b1d-4c8a-9a53-0c8e4b1f2d3a', deviceId: 'phone-1', roles: ['user'] };

  const ourSign = () => signAccessToken(keys, claims, { issuer: ISSUER, audience: AUDIENCE });
  const joseSign = () =>
    new SignJWT({ ...claims, typ: 'access' })
      .setProtectedHeader({ alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('15m')
      .setJti(crypto.randomUUID())
      .sign(josePrivate);

  // Each side's token is accepted by the other before timing: same JWS, same checks.
  const ourToken = (await ourSign()).token;
  const joseToken = await joseSign();
  const verifyOptions = { typ: 'access', issuer: ISSUER, audience: AUDIENCE } as const;
  const joseVerifyOptions = { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg] };
  await jwtVerify(ourToken, josePublic, joseVerifyOptions);
  await verifyToken(keys, joseToken, verifyOptions);

  const ourVerify = () => verifyToken(keys, ourToken, verifyOptions);
  const joseVerify = () => jwtVerify(ourToken, josePublic, joseVerifyOptions);

  // Short trials alternating ours / jose, median of TRIALS, so load from elsewhere hits both sides.
  const figures: Record<string, number> = {};
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  for (const op of ['sign', 'verify'] as const) {
    const pair = op === 'sign' ? ([ourSign, joseSign] as const) : ([ourVerify, joseVerify] as const);
    for (const concurrency of [1, CONCURRENCY]) {
      const samples: [number[], number[]] = [[], []];
      const cpu: [number[], number[]] = [[], []];
      for (let t = 0; t < TRIALS; t++) {
        for (const side of [0, 1] as const) {
          const r = await throughput(pair[side], DURATION_MS / TRIALS, concurrency);
          samples[side].push(r.opsPerSecond);
          cpu[side].push(r.cpuMicrosPerOp);
        }
      }
      const mode = concurrency === 1 ? 'seq' : `c${concurrency}`;
      figures[`ours ${op} ${mode}`] = median(samples[0]);
      figures[`jose ${op} ${mode}`] = median(samples[1]);
      figures[`ours ${op} ${mode} cpu`] = median(cpu[0]);
      figures[`jose ${op} ${mode} cpu`] = median(cpu[1]);
    }
  }
  details[alg] = { ...figures, tokenBytes: ourToken.length };
  const target = { on: 'ratio', op: '>=', value: 1.0 } as const;
  for (const op of ['sign', 'verify'] as const) {
    rows.push({
      metric: `${alg} ${op}, sequential`,
      unit: 'ops/s',
      ours: figures[`ours ${op} seq`] ?? Number.NaN,
      peer: figures[`jose ${op} seq`] ?? Number.NaN,
      target,
    });
    rows.push({
      metric: `${alg} ${op}, ${CONCURRENCY} in flight`,
      unit: 'ops/s',
      ours: figures[`ours ${op} c${CONCURRENCY}`] ?? Number.NaN,
      peer: figures[`jose ${op} c${CONCURRENCY}`] ?? Number.NaN,
      target,
    });
    rows.push({
      metric: `${alg} ${op}, CPU per op (${CONCURRENCY} in flight)`,
      unit: 'µs',
      ours: figures[`ours ${op} c${CONCURRENCY} cpu`] ?? Number.NaN,
      peer: figures[`jose ${op} c${CONCURRENCY} cpu`] ?? Number.NaN,
      note: 'process CPU time per operation; lower is better; steadier than ops/s when the machine is busy',
    });
  }
}

report({ name: 'jwt', title: 'JWT sign / verify', peerName: 'jose 6', rows, details });
