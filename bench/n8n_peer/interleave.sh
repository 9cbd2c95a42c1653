#!/usr/bin/env bash
# Levqor checkouts against each other on one workload, "when done", their rounds interleaved:
# every checkout's `levqor serve` is up at once (fresh data each), then round 1 of each, round 2
# of each, … so a busy moment of the machine falls on all of them alike. No n8n.
# Usage: WL=w1|w2 BENCH_N=1000 bash interleave.sh OUT ROUNDS tag:checkout [tag:checkout …]
# (each checkout with its own .venv). Prints one line per round: tag, round, completed runs/s,
# p50 ms, p99 ms, CPU ms per run, foreign CPU %; results.jsonl in OUT.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$1; ROUNDS=$2; shift 2; mkdir -p $OUT
WL=${WL:-w2}
PY=${PY:-$HERE/../../.venv/bin/python}
cd $OUT; $PY $HERE/gen_workflows.py ${FAKE_PORT:-18791} $OUT >/dev/null
$PY $HERE/fake_http.py ${FAKE_PORT:-18791} > $OUT/fake.log 2>&1 & FAKE=$!
PIDS=($FAKE); declare -A HOOKS PIDOF
port=${BASE_PORT:-18800}
for spec in "$@"; do
  tag=${spec%%:*}; dir=${spec#*:}; port=$((port+1))
  D=$OUT/data-$tag; rm -rf $D; mkdir -p $D
  ( export LEVQOR_DATA_DIR=$D LEVQOR_SECRET_KEY=bench-secret LEVQOR_RATE_LIMITS=false LEVQOR_HTTP_ALLOWED_HOSTS='["127.0.0.1"]' LEVQOR_PORT=$port LEVQOR_PUBLIC_URL=http://127.0.0.1:$port
    unset SLACK_BOT_TOKEN DATABASE_URL
    $dir/.venv/bin/levqor db upgrade > $D/db.log 2>&1
    $dir/.venv/bin/levqor keys create --role operator > $D/op; $dir/.venv/bin/levqor keys create --role owner > $D/own
    exec $dir/.venv/bin/levqor serve --port $port > $D/serve.log 2>&1 ) & PIDOF[$tag]=$!; PIDS+=($!)
  for _ in $(seq 1 300); do curl -sf -o /dev/null http://127.0.0.1:$port/api/health && break; sleep 0.2; done
  SPEC=$OUT/levqor-w2-io.json; [ $WL = w1 ] && SPEC=$OUT/levqor-w1-compute.json
  HOOKS[$tag]=$($PY $HERE/levqor_setup.py http://127.0.0.1:$port $SPEC $(cat $D/op) $(cat $D/own) when_done | tail -1)
  echo "$tag port $port hook ${HOOKS[$tag]}"
done
FAKEARG=(--fake http://127.0.0.1:${FAKE_PORT:-18791}); [ $WL = w1 ] && FAKEARG=()
for r in $(seq 1 $ROUNDS); do
  for spec in "$@"; do tag=${spec%%:*}
    sleep 3
    $PY $HERE/round.py --product $tag --workload $WL --round $r --url "${HOOKS[$tag]}" --out $OUT/results.jsonl "${FAKEARG[@]}" --product-pid ${PIDOF[$tag]} --my-pids $(IFS=,; echo "${PIDS[*]}") > /dev/null 2>&1
    tail -1 $OUT/results.jsonl | python3 -c "import sys,json; d=json.loads(sys.stdin.read()); print(d['product'], d['round'], d['completed_rps'], d['p50_ms'], d['p99_ms'], d.get('product_cpu_ms_per_run'), d['foreign_cpu_pct'])"
  done
done
for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null
