#!/usr/bin/env bash
# The published form of the primitives and the use cases: `pnpm pack` (which rewrites workspace:* to
# versions) of @city/password, @city/jwt, @city/client-cert, @city/registration-core and the
# workspace packages they depend on, installed with npm into a scratch project outside the workspace
# (third-party dependencies from the registry), then imported and used from Node and type-checked as
# a TypeScript consumer (module resolution nodenext, through each package's `exports`).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/city-packed.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tarballs" "$work/consumer"

# The four packages and every @city package they reach through dependencies.
packages="$(cd "$repo" && node -e '
const { readFileSync, readdirSync } = require("node:fs");
const manifests = new Map();
for (const dir of readdirSync("packages")) {
  const m = JSON.parse(readFileSync(`packages/${dir}/package.json`, "utf8"));
  manifests.set(m.name, m);
}
const seen = new Set();
const visit = (name) => {
  if (seen.has(name)) return;
  seen.add(name);
  for (const dep of Object.keys(manifests.get(name).dependencies ?? {})) if (manifests.has(dep)) visit(dep);
};
for (const name of ["@city/password", "@city/jwt", "@city/client-cert", "@city/registration-core"]) visit(name);
console.log([...seen].join(" "));')"
echo "packing: $packages"
for name in $packages; do
  (cd "$repo" && pnpm --filter "$name" pack --pack-destination "$work/tarballs" >/dev/null)
done
ls "$work/tarballs"
if tar -xzOf "$work/tarballs"/city-jwt-*.tgz package/package.json | grep -q 'workspace:'; then
  echo "a packed manifest still says workspace:" >&2; exit 1
fi

cd "$work/consumer"
printf '{ "name": "city-consumer", "private": true, "type": "module" }\n' > package.json
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz \
  "typescript@$(node -p "require('$repo/node_modules/typescript/package.json').version")" \
  "@types/node@$(node -p "require('$repo/node_modules/@types/node/package.json').version")"
[ ! -e node_modules/@city/jwt/src ] || { echo "src/ was packed" >&2; exit 1; }

cat > use.mjs <<'JS'
import { hashPassword, verifyPassword } from '@city/password';
import { generateSigningKey, KeySet, signAccessToken, verifyToken } from '@city/jwt';
import { createCertificateAuthority, issueClientCertificate } from '@city/client-cert';
import { createAuthService } from '@city/registration-core';
import { X509Certificate } from 'node:crypto';

const hash = await hashPassword('Packed-Package-Check-2026');
if (!(await verifyPassword(hash, 'Packed-Package-Check-2026')).valid) throw new Error('password');
const keys = KeySet.create([await generateSigningKey('EdDSA')]);
const opts = { issuer: 'https://auth.example', audience: 'city' };
const access = await signAccessToken(keys, { sub: '0b8f6f9e-6a3c-4c59-9b7e-1f8f5c2d4a10', deviceId: 'd1', roles: ['user'] }, opts);
const { claims } = await verifyToken(keys, access.token, { typ: 'access', ...opts });
if (claims.sub !== '0b8f6f9e-6a3c-4c59-9b7e-1f8f5c2d4a10') throw new Error('jwt');
const ca = await createCertificateAuthority({ algorithm: 'ml-dsa-65', commonName: 'Packed CA' });
const issued = await issueClientCertificate({ ca, userUuid: '0b8f6f9e-6a3c-4c59-9b7e-1f8f5c2d4a10', deviceId: 'd1' });
if (!new X509Certificate(issued.certificatePem).verify(new X509Certificate(ca.certificatePem).publicKey)) throw new Error('cert');
if (typeof createAuthService !== 'function') throw new Error('registration-core');
console.log('imported and used: @city/password, @city/jwt, @city/client-cert, @city/registration-core');
JS
node use.mjs

cat > consumer.ts <<'TS'
import { hashPassword, type PasswordPolicyContext } from '@city/password';
import { KeySet, generateSigningKey, type JwtAlgorithm } from '@city/jwt';
import { createCertificateAuthority, type CertificateAuthority } from '@city/client-cert';
import { createAuthService, type AuthService, type RegisterInput } from '@city/registration-core';

const algorithm: JwtAlgorithm = 'EdDSA';
export const keys: Promise<KeySet> = generateSigningKey(algorithm).then((key) => KeySet.create([key]));
export const ca: Promise<CertificateAuthority> = createCertificateAuthority({ algorithm: 'ml-dsa-65', commonName: 'x' });
export const hashed: Promise<string> = hashPassword('x');
export type Uses = [PasswordPolicyContext, AuthService, RegisterInput, typeof createAuthService];
TS
printf '%s\n' '{ "compilerOptions": { "strict": true, "module": "nodenext", "moduleResolution": "nodenext",' \
  '"target": "es2023", "noEmit": true, "types": ["node"], "skipLibCheck": false }, "files": ["consumer.ts"] }' > tsconfig.json
npx --no-install tsc -p tsconfig.json
echo "type-checked a TypeScript consumer of the packed packages"
