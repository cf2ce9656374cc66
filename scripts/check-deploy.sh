#!/usr/bin/env bash
# Production install check. Deploys @city/api and @city/cli the way a server would get them
# (`pnpm deploy --prod`: only production dependencies, workspace packages copied in), checks the
# node_modules size budget, starts the API from its deploy folder on 127.0.0.1, registers and logs in
# through it with the CLI from the CLI's deploy folder, then does the same with the CLI alone (direct
# mode on its own data directory). Run from anywhere after `pnpm build`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
budget_mb=${CITY_DEPLOY_BUDGET_MB:-80}
work=$(mktemp -d "${TMPDIR:-/tmp}/city-deploy-XXXXXX")
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-deploy: $*" >&2; [ -f "$work/api.log" ] && sed 's/^/  api: /' "$work/api.log" >&2; exit 1; }

echo "deploying @city/api and @city/cli (production dependencies only)"
pnpm --filter @city/api deploy --prod --legacy "$work/api" >"$work/deploy-api.log" 2>&1 ||
  { cat "$work/deploy-api.log" >&2; fail "pnpm deploy of @city/api failed"; }
pnpm --filter @city/cli deploy --prod --legacy "$work/cli" >"$work/deploy-cli.log" 2>&1 ||
  { cat "$work/deploy-cli.log" >&2; fail "pnpm deploy of @city/cli failed"; }

# The budget counts the bytes of the installed files (du --apparent-size), which do not depend on the
# file system; the space they take on this disk (4 KiB blocks, ~10,000 small files) is printed too.
for app in api cli; do
  size_mb=$(du -sm --apparent-size "$work/$app/node_modules" | cut -f1)
  disk_mb=$(du -sm "$work/$app/node_modules" | cut -f1)
  files=$(find "$work/$app/node_modules" -type f | wc -l)
  echo "$app: node_modules ${size_mb} MB in ${files} files (${disk_mb} MB on this disk), budget ${budget_mb} MB"
  [ "$size_mb" -le "$budget_mb" ] || fail "$app node_modules is ${size_mb} MB, over the ${budget_mb} MB budget"
  for dev in dynalite s3rver amplify-dynamodb-simulator mongodb-memory-server @city/dev-engines typescript vitest; do
    [ ! -e "$work/$app/node_modules/$dev" ] || fail "$app deploy contains the development package $dev"
  done
done

port=$(node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
api_url="http://127.0.0.1:$port"
(
  cd "$work/api"
  HOST=127.0.0.1 PORT=$port CITY_DATA_DIR="$work/api-data" LOG_LEVEL=warn exec node dist/server.js
) >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 150); do
  grep -q "listening on" "$work/api.log" 2>/dev/null && break
  kill -0 "$api_pid" 2>/dev/null || fail "the deployed API exited at start"
  sleep 0.2
done
grep -q "listening on" "$work/api.log" || fail "the deployed API did not start within 30 s"
echo "api: started from the deploy folder on $api_url"

city() { node "$work/cli/dist/bin.js" "$@"; }
password='Harbour-Lights-Deploy-2026'
export CITY_PROFILE_DIR="$work/profiles"

printf '%s\n' "$password" |
  CITY_API_URL="$api_url" city register --username deploy.api --email deploy.api@example.com \
    --password-stdin --profile api-user --json >"$work/register-api.json" ||
  fail "registration through the deployed API failed: $(cat "$work/register-api.json")"
grep -q '"uuid"' "$work/register-api.json" || fail "registration answered no uuid"
printf '%s\n' "$password" |
  CITY_API_URL="$api_url" city login --profile api-user --password-stdin --json >"$work/login-api.json" ||
  fail "login through the deployed API failed: $(cat "$work/login-api.json")"
grep -q '"sessionId"' "$work/login-api.json" || fail "login answered no session"
echo "api: registered and logged in with the deployed CLI"

printf '%s\n' "$password" |
  CITY_DATA_DIR="$work/cli-data" city register --username deploy.cli --email deploy.cli@example.com \
    --password-stdin --profile cli-user --json >"$work/register-cli.json" ||
  fail "direct-mode registration with the deployed CLI failed: $(cat "$work/register-cli.json")"
printf '%s\n' "$password" |
  CITY_DATA_DIR="$work/cli-data" city login --profile cli-user --password-stdin --json >"$work/login-cli.json" ||
  fail "direct-mode login with the deployed CLI failed: $(cat "$work/login-cli.json")"
grep -q '"sessionId"' "$work/login-cli.json" || fail "direct-mode login answered no session"
echo "cli: registered and logged in in direct mode from the deploy folder"
echo "check-deploy: ok"
