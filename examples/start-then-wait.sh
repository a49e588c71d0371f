#!/usr/bin/env bash
# Start the release pipelines, then wait for them to end: the two-step CI workflow, against
# the emulator on loopback (no cloud account). Exits 1: the banned scan fails to start.
set -euo pipefail
cd "$(dirname "$0")"

port=${PORT:-8765}
checker emulator start-world.yaml --port "$port" 2>/dev/null &
emulator=$!
trap 'kill "$emulator"' EXIT
for _ in $(seq 50); do
  (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

export CHECKER_ENDPOINT="http://127.0.0.1:$port" CHECKER_AUTH_TOKEN=emulator-demo-token
export CHECKER_VAR_VERSION=1.4.2          # the release being made: tag v1.4.2
runs="$(mktemp)"
rm -f "$runs"                             # a fresh release (an existing file resumes)
checker start start-gate.yaml --out "$runs" --auto-approve || true   # 3: the banned scan
checker check start-gate.yaml --runs "$runs" --wait --poll-interval 1
