"""`make bench`: run every benchmark in turn and print its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = [
    ["bench.engine_overhead"],
    ["bench.webhook_throughput"],
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
    ["bench.first_token"],
    ["bench.purge"],
]


def main() -> int:
    """Run each benchmark module; stop at the first that fails."""
    for args in BENCHMARKS:
        print(f"\n== {args[0]} ==", flush=True)
        result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=False)
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
