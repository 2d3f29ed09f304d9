#!/usr/bin/env bash
# Runs the Dockerfile's build and start steps without Docker (this machine has no Docker engine):
# a git clone of HEAD (committed files only), the same COPYs from it into clean temp folders, the
# same npm ci / npm ci --omit=dev / npm run build, then starts the hub as the image's CMD does
# (as the unprivileged user `nobody` when run as root) and runs the image's HEALTHCHECK command.
# Not covered: the base images, apt-get, the image build itself and Compose (docs/operate.md).
# Usage: npm run smoke:docker   (several minutes: better-sqlite3 is compiled twice; uses the npm cache)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/patchbay-docker-smoke-XXXXXX")"
hub_pid=""
cleanup() { if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
# The non-root hub must be able to reach the copied files (mktemp -d makes a 0700 folder).
chmod 755 "$work"
started=$SECONDS
step() { echo "== $1 (t=$((SECONDS - started)) s)"; }
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

# The build context is a clean clone of HEAD: uncommitted and untracked files are not in it.
head="$(git -C "$repo" rev-parse HEAD)"
step "clean clone of HEAD $head ($work/src)"
git clone --quiet --no-checkout "$repo" "$work/src"
git -C "$work/src" checkout --quiet --detach "$head"
# COPY <paths…> from the clean clone into $1.
copy_tracked() { local dest="$1"; shift; (cd "$work/src" && git ls-files -z -- "$@" | xargs -0 cp --parents -t "$dest"); }
manifests=(package.json package-lock.json packages/core/package.json packages/sdk/package.json packages/connect/package.json packages/hub/package.json packages/hub/bin)

step "build stage: npm ci ($work/build)"
mkdir -p "$work/build"
copy_tracked "$work/build" "${manifests[@]}"
run_logged build-npm-ci "$work/build" npm ci "${npm_flags[@]}"
copy_tracked "$work/build" tsconfig.base.json packages
step "build stage: npm run build"
run_logged build "$work/build" npm run build --silent

step "runtime stage: npm ci --omit=dev ($work/app)"
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

step "start (the image's CMD) and HEALTHCHECK"
# USER node in the image: here the hub runs as `nobody` when this script runs as root.
as_user=()
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  chown nobody "$work/data"; as_user=(runuser -u nobody --)
fi
port="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
key="smoke-$(node -e "console.log(require('node:crypto').randomBytes(12).toString('hex'))")"
(cd "$work/app" && NODE_ENV=production PATCHBAY_HOST=127.0.0.1 PATCHBAY_PORT="$port" PATCHBAY_DATA_DIR="$work/data" \
  PATCHBAY_BOOTSTRAP_API_KEY="$key" PATCHBAY_LOG_LEVEL=warn exec "${as_user[@]}" node packages/hub/dist/cli/main.js serve) &
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
if [ ${#as_user[@]} -gt 0 ]; then
  owner="$(ps -o user= -p "$(pgrep -P "$hub_pid" -n || echo "$hub_pid")" | tr -d ' ')"
  echo "hub process user: $owner"
fi
echo "docker-smoke: OK in $((SECONDS - started)) s (clean clone, build, npm ci --omit=dev, start as ${as_user[*]:-current user}, HEALTHCHECK, built-in catalog)"
