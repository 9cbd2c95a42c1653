"""Webhook runs through the scale-out topology on PostgreSQL, beside one process on SQLite.

    python -m bench.webhook_workers                          # W1 and W2, 3 rounds, 2 workers
    python -m bench.webhook_workers --workload w2 --rounds 1 --requests 1000
    python -m bench.webhook_workers --code before=/path/to/checkout --sqlite

Per round and setup, fresh data: the PostgreSQL setup starts `levqor serve --role web`, one
`levqor scheduler` and `--workers` x `levqor worker` on a database of its own; the SQLite setup
one `levqor serve`. The workflow is the n8n side-by-side's (bench/n8n_peer): W1 compute (CRM
upsert, CRM update when hot, Slack post to the outbox) or W2 I/O (three HTTP POSTs to a local
fake, the second when hot), answering at once (202). The load is bench/n8n_peer/webhook_load.py
unchanged: 50 warm-up requests one at a time, then `--requests` at concurrency 32.

Printed per round: completed runs/s (from the end of the warm-up until every run has ended),
accept latency p50/p99, CPU ms per run of each process (web, workers, scheduler; the SQLite
process) and of PostgreSQL (all its processes: anyone's work), and the once-only checks: every
run recorded once and succeeded, each executed step one attempt, one outbox message (W1) or one
call of the fake per step executed (W2). Rounds alternate between the setups (`--code` names
checkouts to compare: each runs with this environment's Python and that checkout on its path).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import os
import signal
import statistics
import tempfile
import time
import uuid
from typing import Any

import httpx

from bench.common import ROOT
from bench.webhook_setups import Setup, Topology, running
from tests.fakes.http_server import free_port

PEER = ROOT / "bench" / "n8n_peer"
WARM = 50
STALL_SECONDS = 30
FIGURES = ("completed_rps", "p50_ms", "p99_ms", "cpu_ms_total", "pg_ms")


async def one_round(
    setup: Setup, spec: dict[str, object], fake: str, requests: int, profile: Path | None
) -> dict[str, Any]:
    """One round of `requests` webhook deliveries on fresh processes and data (with `profile`,
    each process under `py-spy record --format raw`, written there)."""
    async with running(setup) as topology:
        hook = await topology.approve(spec)
        if profile is None:
            return await measure(topology, hook, fake, requests)
        spies = [
            await asyncio.create_subprocess_exec(
                str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw",
                "-r", "100", "--nonblocking", "-o", str(profile / f"{setup.label}-{name}.raw"),
                "-p", str(process.pid), stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            for name, process in topology.processes.items()
        ]  # fmt: skip
        try:
            return await measure(topology, hook, fake, requests)
        finally:
            for spy in spies:
                spy.send_signal(signal.SIGINT)
            await asyncio.gather(*(spy.wait() for spy in spies))


async def measure(topology: Topology, hook: str, fake: str, requests: int) -> dict[str, Any]:
    """Load the hook, time until every run ended, account the CPU, check once-only."""
    async with httpx.AsyncClient(timeout=30) as client:
        calls_before = (await client.get(f"{fake}/stats")).json()
        cpu_before = topology.cpu()
        load = await asyncio.create_subprocess_exec(
            sys.executable, str(PEER / "webhook_load.py"), hook, str(requests), "32",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        started, last, progress = None, -1, time.monotonic()
        while True:
            recorded, ended = await topology.counts()
            if started is None and recorded >= WARM:
                started, ended_at_start = time.perf_counter(), ended
            if ended != last:
                last, progress = ended, time.monotonic()
            if ended >= requests + WARM:
                break
            if load.returncode is not None and time.monotonic() - progress > STALL_SECONDS:
                break  # the load ended and no run has ended for a while: some never will
            await asyncio.sleep(0.05)
        finished = time.perf_counter()
        cpu_after = topology.cpu()
        out, err = await load.communicate()
        calls = {
            path: count - calls_before.get(path, 0)
            for path, count in (await client.get(f"{fake}/stats")).json().items()
        }
    if load.returncode:
        raise RuntimeError(f"the load failed ({topology.env['LEVQOR_DATA_DIR']}): "
                           f"{err.decode()[-300:]}")  # fmt: skip
    accepted = json.loads(out.decode().strip().splitlines()[-1])
    runs = requests + WARM
    cpu = {name: 1000 * (cpu_after[name] - cpu_before[name]) / runs for name in cpu_after}
    assert started is not None, "the warm-up never recorded its runs"
    row = {
        "setup": topology.setup.label,
        "loadavg": round(os.getloadavg()[0], 1),
        "completed_rps": round((ended - ended_at_start) / (finished - started), 1),
        "accept_rps": accepted["rps"],
        "p50_ms": accepted["p50_ms"],
        "p99_ms": accepted["p99_ms"],
        "errors": accepted["errors"],
        "cpu_ms": {name: round(ms, 2) for name, ms in cpu.items() if name != "postgres"},
        "cpu_ms_total": round(sum(ms for name, ms in cpu.items() if name != "postgres"), 2),
        "pg_ms": round(cpu.get("postgres", 0.0), 2),
        **await topology.once_only(runs, calls),
    }
    return row


def _append(path: str, row: dict[str, Any]) -> None:
    with open(path, "a") as out:
        out.write(json.dumps(row) + "\n")


def _median_row(rows: list[dict[str, Any]]) -> str:
    return "  ".join(f"{k} {statistics.median(r[k] for r in rows):.1f}" for k in FIGURES)


async def main(args: argparse.Namespace) -> None:
    """Start the fake, alternate the setups over the rounds of each workload, print a table."""
    work = Path(tempfile.mkdtemp(prefix="levqor-hooks-"))
    fake_port = free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    gen = [sys.executable, str(PEER / "gen_workflows.py"), str(fake_port), str(work)]
    await (await asyncio.create_subprocess_exec(*gen, stdout=asyncio.subprocess.DEVNULL)).wait()
    fake_server = await asyncio.create_subprocess_exec(
        sys.executable, str(PEER / "fake_http.py"), str(fake_port)
    )
    concurrency = args.concurrency
    setups = [
        Setup(f"{name}-pg{args.workers}w", Path(code), args.postgres, args.workers, concurrency)
        for name, code in args.code
    ]
    if args.sqlite:
        name, code = args.code[0]
        setups.append(Setup(f"{name}-sqlite", Path(code), None, 0, 0))
    specs = {"w1": "levqor-w1-compute.json", "w2": "levqor-w2-io.json"}
    try:
        await asyncio.sleep(0.5)
        for workload in args.workload:
            spec = json.loads((work / specs[workload]).read_text())
            rows: dict[str, list[dict[str, Any]]] = {s.label: [] for s in setups}
            for number in range(1, args.rounds + 1):
                for setup in setups:
                    try:
                        row = await one_round(setup, spec, fake, args.requests, args.profile)
                    except RuntimeError as failed:  # reported, and the round left out
                        print(f"{setup.label} round {number}: {failed}", flush=True)
                        continue
                    row.update(workload=workload, round=number, id=uuid.uuid4().hex[:6])
                    rows[setup.label].append(row)
                    print(json.dumps(row), flush=True)
                    if args.out:
                        await asyncio.to_thread(_append, args.out, row)
            print(f"\n{workload}: medians of {args.rounds} rounds ({args.requests} requests, c=32)")
            for label, done in rows.items():
                print(f"  {label:24} {_median_row(done) if done else 'no round completed'}")
    finally:
        fake_server.terminate()
        await fake_server.wait()


def _code(value: str) -> tuple[str, str]:
    name, _, path = value.partition("=")
    return (name, path) if path else ("this", value)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", nargs="+", choices=("w1", "w2"), default=["w1", "w2"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="runs at once per worker")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="also one `levqor serve` on SQLite")
    parser.add_argument(
        "--code",
        type=_code,
        action="append",
        help="NAME=CHECKOUT to compare (repeatable; default: this checkout)",
    )
    parser.add_argument("--profile", type=Path, help="py-spy each process into this folder")
    parser.add_argument("--out", help="append each round's JSON line to this file")
    parsed = parser.parse_args()
    parsed.code = parsed.code or [("this", str(ROOT))]
    asyncio.run(main(parsed))
