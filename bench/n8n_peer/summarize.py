"""Print the per-round table, medians and Levqor/n8n ratios from one or more results.jsonl files."""
import json
import statistics
import sys

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
rows = [r for r in rows if not r.get("tag")]  # profiled rounds are not counted
g = lambda r, k: r.get(k, "-") if r.get(k) is not None else "-"  # noqa: E731
print("| workload | product | round | rps (HTTP) | p50 ms | p99 ms | completed runs/s | HTTP errors | failed runs "
      "| load avg before | product CPU % | CPU ms/run | foreign CPU % | probe ms | fake calls |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    fc = " ".join(f"{k.strip('/')}={v}" for k, v in r.get("fake_calls", {}).items()) or "-"
    print(f"| {r['workload']} | {r['product']} | {r['round']} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} | "
          f"{r['completed_rps']} | {r['errors']} | {g(r, 'failed_runs')} | {r['loadavg_before']} | "
          f"{g(r, 'product_cpu_pct')} | {g(r, 'product_cpu_ms_per_run')} | {g(r, 'foreign_cpu_pct')} | "
          f"{g(r, 'probe_ms_median')} | {fc} |")
print()
print("| workload | product | rounds | median rps (HTTP) | median p50 ms | median p99 ms | median completed runs/s | median CPU ms/run |")
print("|---|---|---|---|---|---|---|---|")
med = {}
for w in sorted({r["workload"] for r in rows}):
    for p in ("n8n", "levqor", "levqor-when-done"):
        rs = [r for r in rows if r["workload"] == w and r["product"] == p]
        if not rs:
            continue
        m = {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms", "completed_rps")}
        cpu = [r["product_cpu_ms_per_run"] for r in rs if r.get("product_cpu_ms_per_run") is not None]
        m["cpu"] = round(statistics.median(cpu), 2) if cpu else "-"
        med[(w, p)] = m
        print(f"| {w} | {p} | {len(rs)} | {m['rps']} | {m['p50_ms']} | {m['p99_ms']} | {m['completed_rps']} | {m['cpu']} |")
print()
for w in sorted({r["workload"] for r in rows}):
  for lq in ("levqor", "levqor-when-done"):
    if (w, "n8n") in med and (w, lq) in med:
        n, l = med[(w, "n8n")], med[(w, lq)]
        line = (f"{w} {lq}: Levqor/n8n completed runs/s = {l['completed_rps'] / n['completed_rps']:.2f}; "
                f"p99 Levqor/n8n = {l['p99_ms'] / n['p99_ms']:.2f}; "
                f"Levqor accept rps / n8n rps = {l['rps'] / n['rps']:.2f}")
        if isinstance(l["cpu"], float) and isinstance(n["cpu"], float):
            line += f"; CPU ms per run Levqor/n8n = {l['cpu'] / n['cpu']:.2f}"
        print(line)
