"""One measured round: `uptime` load average, then webhook_load.py (unchanged copy) on URL.

For Levqor (--levqor-base given) it also polls GET /api/health (instance figures) to time the
completed runs (every 0.25 s): from the end of webhook_load's 50 warm-up requests (seen as runs_24h reaching
baseline+50) until succeeded_24h+failed_24h reaches baseline+2050. For W2 (--fake given) it reads
the fake server's per-path counters before/after. Also: the product's CPU (% of a core, ms per
run over the 2050 runs incl. warm-up), CPU used by processes this benchmark did not start
(foreign_cpu_pct), VM steal, and a speed probe (ms for a fixed Python loop, once a second). Appends one JSON line to OUT.

python round.py --product P --workload W --url URL --out results.jsonl [--levqor-base B] [--fake F]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import httpx

HERE = os.path.dirname(os.path.abspath(__file__))
N, C, WARM = int(os.environ.get("BENCH_N", "2000")), 32, 50

p = argparse.ArgumentParser()
p.add_argument("--product", required=True)
p.add_argument("--workload", required=True)
p.add_argument("--round", type=int, default=0)
p.add_argument("--url", required=True)
p.add_argument("--out", required=True)
p.add_argument("--levqor-base")
p.add_argument("--fake")
p.add_argument("--tag", default="")
p.add_argument("--product-pid", type=int, help="the product's server process: its CPU per run")
p.add_argument("--my-pids", default="", help="all services this benchmark started (comma-separated)")
a = p.parse_args()
TCK = os.sysconf("SC_CLK_TCK")
MY = [int(x) for x in a.my_pids.split(",") if x]


def proc_cpu(pid: int) -> float:
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / TCK
    except FileNotFoundError:
        return 0.0


def machine() -> tuple[float, float]:
    v = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(v) / TCK, (v[3] + v[4]) / TCK  # total, idle+iowait


def kids_cpu() -> float:
    r1, r2 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r1.ru_utime + r1.ru_stime + r2.ru_utime + r2.ru_stime



load = open("/proc/loadavg").read().split()[:3]
uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
try:  # the busiest processes over the half second before the round (the machine is shared)
    top = subprocess.run(["top", "-b", "-n", "2", "-d", "0.5", "-w", "200"], capture_output=True,
                         text=True, timeout=10).stdout
    block = top.split("\ntop - ")[-1].splitlines()
    start = next(i for i, l in enumerate(block) if l.split()[:1] == ["PID"]) + 1
    procs = [l.split() for l in block[start:] if l.strip()]
    busy = [f"{p[8]}% {p[0]} {' '.join(p[11:])}"[:60] for p in procs if float(p[8]) >= 5][:4]
except Exception:  # noqa: BLE001
    busy = []
# /api/health gives the figures to a workspace API key (LEVQOR_KEY)
KEY = os.environ.get("LEVQOR_KEY")
cli = httpx.Client(timeout=30, headers={"Authorization": f"Bearer {KEY}"} if KEY else {})


def health() -> dict:
    return cli.get(a.levqor_base + "/api/health").json()


def fake_counts() -> dict:
    return cli.get(a.fake + "/stats").json() if a.fake else {}


fake0 = fake_counts()
if a.levqor_base:
    h0 = health()
    base_runs, base_done, base_failed = h0["runs_24h"], h0["succeeded_24h"] + h0["failed_24h"], h0["failed_24h"]

probe = subprocess.Popen([sys.executable, os.path.join(HERE, "speed_probe.py")],
                         stdout=subprocess.PIPE, text=True)
st0 = int(open("/proc/stat").readline().split()[8])  # steal ticks
cpu0 = {p: proc_cpu(p) for p in MY}
m0, k0, w0 = machine(), kids_cpu(), time.perf_counter()
proc = subprocess.Popen([sys.executable, os.path.join(HERE, "webhook_load.py"), a.url, str(N), str(C)],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
row = {"workload": a.workload, "product": a.product, "round": a.round, "tag": a.tag,
       "loadavg_before": " ".join(load), "uptime_before": uptime, "busiest_before": busy}
if a.levqor_base:
    t_start = None
    done_at_start = None
    while True:  # find the end of the warm-up (runs are recorded at accept time)
        h = health()
        if h["runs_24h"] >= base_runs + WARM:
            t_start = time.perf_counter()
            done_at_start = h["succeeded_24h"] + h["failed_24h"]
            break
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    deadline = time.perf_counter() + 900
    while True:
        h = health()
        done = h["succeeded_24h"] + h["failed_24h"]
        if done >= base_done + N + WARM or time.perf_counter() > deadline:
            t_end = time.perf_counter()
            break
        time.sleep(0.25)
    out, err = proc.communicate()
    res = json.loads(out.strip().splitlines()[-1])
    wall = t_end - t_start
    row.update(res)
    row["accept_rps"] = res["rps"]
    row["completed_runs"] = done - done_at_start
    row["completed_wall_s"] = round(wall, 2)
    row["completed_rps"] = round((done - done_at_start) / wall, 1)
    row["failed_runs"] = h["failed_24h"] - base_failed
    row["runs_accepted"] = h["runs_24h"] - base_runs
    row["all_done"] = done >= base_done + N + WARM
else:
    out, err = proc.communicate()
    res = json.loads(out.strip().splitlines()[-1])
    row.update(res)
    row["completed_rps"] = res["rps"]  # n8n answers when its last node finished
w1 = time.perf_counter()
probe.terminate()
speed = json.loads(probe.communicate()[0] or "[]")
m1, k1 = machine(), kids_cpu()
row["probe_ms_median"] = sorted(speed)[len(speed) // 2] if speed else None
row["probe_ms_max"] = max(speed) if speed else None
row["steal_s"] = round((int(open("/proc/stat").readline().split()[8]) - st0) / TCK, 1)
cpu1 = {p: proc_cpu(p) for p in MY}
ncpu = os.cpu_count() or 1
busy = (m1[0] - m0[0]) - (m1[1] - m0[1])  # CPU-seconds used on the whole machine
mine = sum(cpu1[p] - cpu0[p] for p in MY) + (k1 - k0)
row["window_s"] = round(w1 - w0, 1)
row["machine_cpu_pct"] = round(100 * busy / (m1[0] - m0[0]) * ncpu)  # % of one core
row["foreign_cpu_pct"] = round(100 * max(0.0, busy - mine) / (w1 - w0))  # not ours, % of a core
row["loadgen_cpu_pct"] = round(100 * (k1 - k0) / (w1 - w0))
if a.product_pid:
    used = cpu1[a.product_pid] - cpu0[a.product_pid]
    row["product_cpu_pct"] = round(100 * used / (w1 - w0))
    row["product_cpu_ms_per_run"] = round(1000 * used / (N + WARM), 2)
if a.fake:
    f1 = fake_counts()
    row["fake_calls"] = {k: f1.get(k, 0) - fake0.get(k, 0) for k in sorted(f1)}
if proc.returncode:
    row["load_stderr"] = err[-2000:]
with open(a.out, "a") as f:
    f.write(json.dumps(row) + "\n")
print(json.dumps(row))
