#!/usr/bin/env bash
# Runs the Dockerfile's build and start steps without Docker (this machine has no Docker engine):
# the same COPYs into clean temp folders, the same npm ci / npm ci --omit=dev / npm run build, then
# starts the hub as the image's CMD does and runs the image's HEALTHCHECK command against it.
# Not covered: the base images, apt-get, the non-root USER and the image build itself.
# Usage: bash scripts/docker-smoke.sh   (about 2-4 minutes; uses the npm cache when it can)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/patchbay-docker-smoke-XXXXXX")"
hub_pid=""
cleanup() { if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
# No prebuilt better-sqlite3 binary can be downloaded here: compile against the installed Node headers.
if [ -f /usr/include/node/common.gypi ] && [ -z "${npm_config_nodedir:-}" ]; then export npm_config_nodedir=/usr; fi
npm_flags=(--no-audit --no-fund --prefer-offline)
# Each npm step is bounded (PATCHBAY_SMOKE_STEP_TIMEOUT, default 20 min) and logged; on failure the
# log's tail is printed, so a hang or a failed native build says what happened instead of nothing.
step_timeout="${PATCHBAY_SMOKE_STEP_TIMEOUT:-1200}"
run_logged() {
  local name="$1" dir="$2"; shift 2
  if ! (cd "$dir" && timeout --kill-after=10 "$step_timeout" "$@" >"$work/$name.log" 2>&1); then
    echo "FAIL: $name ($*) failed or took over ${step_timeout} s; its last lines:" >&2
    tail -40 "$work/$name.log" >&2
    exit 1
  fi
}

# COPY <paths…> from the committed tree (what a clean checkout has) into $1.
copy_tracked() { local dest="$1"; shift; (cd "$repo" && git ls-files -z -- "$@" | xargs -0 cp --parents -t "$dest"); }
manifests=(package.json package-lock.json packages/core/package.json packages/sdk/package.json packages/hub/package.json packages/hub/bin)

echo "== build stage ($work/build)"
mkdir -p "$work/build"
copy_tracked "$work/build" "${manifests[@]}"
run_logged build-npm-ci "$work/build" npm ci "${npm_flags[@]}"
copy_tracked "$work/build" tsconfig.base.json packages
run_logged build "$work/build" npm run build --silent

echo "== runtime stage ($work/app)"
mkdir -p "$work/app" "$work/data"
copy_tracked "$work/app" "${manifests[@]}"
run_logged runtime-npm-ci "$work/app" npm ci --omit=dev "${npm_flags[@]}"
for d in packages/core/dist packages/sdk/dist packages/hub/dist packages/hub/catalog; do
  mkdir -p "$work/app/$(dirname "$d")" && cp -r "$work/build/$d" "$work/app/$d"
done
# The runtime image must hold no dev dependency.
for dev in typescript vitest tsx @biomejs/biome; do
  if [ -e "$work/app/node_modules/$dev" ]; then echo "FAIL: dev dependency $dev in the runtime stage" >&2; exit 1; fi
done

echo "== start (the image's CMD) and HEALTHCHECK"
port="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
key="smoke-$(node -e "console.log(require('node:crypto').randomBytes(12).toString('hex'))")"
(cd "$work/app" && NODE_ENV=production PATCHBAY_HOST=127.0.0.1 PATCHBAY_PORT="$port" PATCHBAY_DATA_DIR="$work/data" \
  PATCHBAY_BOOTSTRAP_API_KEY="$key" PATCHBAY_LOG_LEVEL=warn exec node packages/hub/dist/cli/main.js serve) &
hub_pid=$!
healthcheck="fetch('http://127.0.0.1:'+(process.env.PATCHBAY_PORT||8470)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
for _ in $(seq 1 60); do
  if PATCHBAY_PORT="$port" node -e "$healthcheck"; then break; fi
  kill -0 "$hub_pid" 2>/dev/null || { echo "FAIL: the hub exited before it was healthy" >&2; exit 1; }
  sleep 0.5
done
PATCHBAY_PORT="$port" node -e "$healthcheck" || { echo "FAIL: HEALTHCHECK did not pass within 30 s" >&2; exit 1; }
# The built-in catalog is there and a key works.
status="$(curl -s -o "$work/github.json" -w '%{http_code}' -H "x-api-key: $key" "http://127.0.0.1:$port/sdk/models/patchbay%2Fgithub")"
[ "$status" = 200 ] && grep -q '"GitHub"' "$work/github.json" || { echo "FAIL: GET /sdk/models/patchbay%2Fgithub answered $status" >&2; exit 1; }
echo "docker-smoke: OK (build, npm ci --omit=dev, start, HEALTHCHECK, built-in catalog)"
