#!/usr/bin/env bash
# Levqor vs n8n 1.82.3, side by side on this machine: W1 "compute" and W2 "I/O", 3 alternating
# rounds each (n8n, Levqor "accept", Levqor "when done", n8n, …), 2000 requests at concurrency 32
# (BENCH_N=1000 for a shorter run).
# Starts a fake HTTP server, n8n (fresh user folder per workload) and `levqor serve` (fresh data
# dir per workload), runs the rounds, stops exactly what it started (by PID), prints a table.
# PROFILE=1 adds, per workload, one extra (uncounted) Levqor round under py-spy.
# Usage: N8N_DIR=<folder with n8n installed> LEVQOR_DIR=<Levqor checkout with .venv> ./side_by_side.sh [ROUNDS]
# (see README.md beside this file for installing n8n).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${1:-3}
: "${N8N_DIR:?set N8N_DIR to the folder n8n is installed in}" "${LEVQOR_DIR:?set LEVQOR_DIR to a Levqor checkout with .venv}"
PY=${PY:-$LEVQOR_DIR/.venv/bin/python}     # any Python with httpx
PYSPY=${PYSPY:-py-spy}                      # only for PROFILE=1
LEVQOR=$LEVQOR_DIR/.venv/bin/levqor
WORK=${WORK:-$(mktemp -d)}
FAKE_PORT=${FAKE_PORT:-18090}; LEVQOR_PORT=${LEVQOR_PORT:-18080}; export N8N_PORT=${N8N_PORT:-5678}
STAMP=$(date +%Y%m%d-%H%M%S)
OUTDIR=$WORK/out-$STAMP; mkdir -p "$OUTDIR"
RESULTS=$OUTDIR/results.jsonl
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap cleanup EXIT
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; local keep=(); for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done; PIDS=("${keep[@]}"); }
wait_http() { for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done; echo "timeout waiting for $1" >&2; return 1; }

cd "$WORK"
$PY "$HERE"/gen_workflows.py $FAKE_PORT "$WORK"
$PY "$HERE"/fake_http.py $FAKE_PORT > "$OUTDIR/fake.log" 2>&1 & PIDS+=($!); FAKE_PID=$!
wait_http http://127.0.0.1:$FAKE_PORT/stats

for W in w1 w2; do
  if [ $W = w1 ]; then N8N_WF=n8n-w1-compute.json; N8N_ID=bench0000000001; N8N_PATH=bench; LQ_SPEC=levqor-w1-compute.json; WL=W1-compute; FAKE_ARG=()
  else N8N_WF=n8n-w2-io.json; N8N_ID=bench0000000002; N8N_PATH=bench-io; LQ_SPEC=levqor-w2-io.json; WL=W2-io; FAKE_ARG=(--fake http://127.0.0.1:$FAKE_PORT); fi

  # ---- n8n: fresh user folder, import, activate, start
  ( . "$HERE/n8n-env.sh"; rm -rf "$N8N_USER_FOLDER"; mkdir -p "$N8N_USER_FOLDER"; cd "$N8N_DIR"
    node_modules/.bin/n8n import:workflow --input="$WORK/$N8N_WF" && node_modules/.bin/n8n update:workflow --id=$N8N_ID --active=true ) > "$OUTDIR/n8n-import-$W.log" 2>&1
  ( . "$HERE/n8n-env.sh"; cd "$N8N_DIR"; exec node_modules/.bin/n8n start ) > "$OUTDIR/n8n-$W.log" 2>&1 & PIDS+=($!); N8N_PID=$!
  wait_http http://127.0.0.1:$N8N_PORT/healthz
  for _ in $(seq 1 150); do curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d '{"email":"probe@example.com","score":1}' http://127.0.0.1:$N8N_PORT/webhook/$N8N_PATH && break; sleep 0.2; done

  # ---- Levqor: fresh data dir, keys, serve, create + approve the workflow
  LQ_DATA=$OUTDIR/levqor-data-$W; mkdir -p "$LQ_DATA"
  export LEVQOR_DATA_DIR=$LQ_DATA LEVQOR_SECRET_KEY=bench-secret LEVQOR_RATE_LIMITS=false LEVQOR_HTTP_ALLOWED_HOSTS='["127.0.0.1"]' \
         LEVQOR_PORT=$LEVQOR_PORT LEVQOR_PUBLIC_URL=http://127.0.0.1:$LEVQOR_PORT
  unset SLACK_BOT_TOKEN DATABASE_URL || true
  $LEVQOR db upgrade > "$OUTDIR/levqor-db-$W.log" 2>&1
  OPKEY=$($LEVQOR keys create --role operator); OWNKEY=$($LEVQOR keys create --role owner)
  $LEVQOR serve --port $LEVQOR_PORT > "$OUTDIR/levqor-$W.log" 2>&1 & PIDS+=($!); LQ_PID=$!
  wait_http http://127.0.0.1:$LEVQOR_PORT/api/health
  export LEVQOR_KEY=$OWNKEY  # round.py reads the run figures from /api/health with it
  HOOK=$($PY "$HERE"/levqor_setup.py http://127.0.0.1:$LEVQOR_PORT "$WORK/$LQ_SPEC" "$OPKEY" "$OWNKEY")
  HOOK_DONE=$($PY "$HERE"/levqor_setup.py http://127.0.0.1:$LEVQOR_PORT "$WORK/$LQ_SPEC" "$OPKEY" "$OWNKEY" when_done)
  echo "$WL: n8n pid $N8N_PID, levqor pid $LQ_PID, levqor hooks $HOOK $HOOK_DONE" | tee -a "$OUTDIR/info.txt"

  for r in $(seq 1 "$ROUNDS"); do
    sleep 5
    $PY "$HERE"/round.py --product n8n --workload $WL --round $r --url http://127.0.0.1:$N8N_PORT/webhook/$N8N_PATH --out "$RESULTS" "${FAKE_ARG[@]}" \
        --product-pid $N8N_PID --my-pids $N8N_PID,$LQ_PID,$FAKE_PID
    sleep 5
    $PY "$HERE"/round.py --product levqor --workload $WL --round $r --url "$HOOK" --levqor-base http://127.0.0.1:$LEVQOR_PORT --out "$RESULTS" "${FAKE_ARG[@]}" \
        --product-pid $LQ_PID --my-pids $N8N_PID,$LQ_PID,$FAKE_PID
    sleep 5
    $PY "$HERE"/round.py --product levqor-when-done --workload $WL --round $r --url "$HOOK_DONE" --levqor-base http://127.0.0.1:$LEVQOR_PORT --out "$RESULTS" "${FAKE_ARG[@]}" \
        --product-pid $LQ_PID --my-pids $N8N_PID,$LQ_PID,$FAKE_PID
  done
  if [ "${PROFILE:-0}" = 1 ]; then
    sleep 5
    $PYSPY record -d 15 -r 100 --nonblocking --threads --format raw -o "$OUTDIR/levqor-$W.raw" -p $LQ_PID > "$OUTDIR/pyspy-$W.log" 2>&1 & SPY=$!
    $PYSPY record -d 15 -r 50 --nonblocking -o "$OUTDIR/levqor-$W.svg" -p $LQ_PID > "$OUTDIR/pyspy-svg-$W.log" 2>&1 & SPY2=$!
    $PY "$HERE"/round.py --product levqor --workload $WL --round 99 --tag profiled --url "$HOOK" --levqor-base http://127.0.0.1:$LEVQOR_PORT --out "$RESULTS" "${FAKE_ARG[@]}"
    wait $SPY || true; wait $SPY2 || true
  fi
  curl -s http://127.0.0.1:$LEVQOR_PORT/api/health > "$OUTDIR/levqor-health-$W.json" || true
  stop $LQ_PID; stop $N8N_PID
done
stop $FAKE_PID
echo; echo "raw results: $RESULTS"; echo
$PY "$HERE"/summarize.py "$RESULTS" | tee "$OUTDIR/table.md"
