"""`make bench`: run every benchmark in turn and print its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = [
    ["bench.engine_overhead"],
    ["bench.webhook_throughput"],
    ["bench.http_client_cost"],
    ["bench.draft_latency"],
    ["bench.describe_latency"],
    ["bench.suggest_latency"],
    ["bench.model_predict"],
    ["bench.model_calls"],
    ["bench.graph_overhead"],
    ["bench.slack_ack"],
    ["bench.inbound_autoreply"],
    ["bench.drip_waits"],
    ["bench.runs_page"],
    ["bench.bell"],
    ["bench.billing_admission"],
    ["bench.first_token"],
    ["bench.secrets_at_rest"],
    ["bench.access_log"],
    ["bench.purge"],
]


PEER = ROOT / "bench" / "n8n_peer" / "side_by_side.sh"


def side_by_side() -> int:
    """Levqor beside n8n (both workloads, three alternating rounds) when N8N_DIR names an
    n8n install (see bench/n8n_peer/README.md); otherwise say how to run it."""
    if not os.environ.get("N8N_DIR"):
        print("skipped: set N8N_DIR to an n8n 1.82.3 install (bench/n8n_peer/README.md)")
        return 0
    env = {**os.environ, "LEVQOR_DIR": str(ROOT), "PYSPY": str(ROOT / ".venv" / "bin" / "py-spy")}
    rounds = os.environ.get("BENCH_ROUNDS", "3")
    return subprocess.run(["bash", str(PEER), rounds], cwd=ROOT, env=env, check=False).returncode


def main() -> int:
    """Run each benchmark module, then the side-by-side; stop at the first that fails."""
    for args in BENCHMARKS:
        print(f"\n== {args[0]} ==", flush=True)
        result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=False)
        if result.returncode != 0:
            return result.returncode
    print("\n== bench/n8n_peer/side_by_side.sh ==", flush=True)
    return side_by_side()


if __name__ == "__main__":
    sys.exit(main())
