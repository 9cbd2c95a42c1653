"""Top functions of a `py-spy record --format raw --threads` profile, by self and total samples.

python bench/n8n_peer/pyspy_top.py PROFILE.raw [--thread MainThread] [--top 15]

Each line of the raw format is one stack (`thread (id): Name;outer;...;inner COUNT`). Self time
is the innermost frame's; total time counts a function once per stack it appears in. Shares are
of the chosen thread's samples (all threads with `--thread ''`). On the event loop's thread,
`Runner.run` as the innermost frame is the loop waiting for work (uvloop's C code is not shown).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<name>.+?) \((?P<where>[^()]*)\)$")


def _function(frame: str) -> str:
    found = _FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    where = found["where"].rsplit(":", 1)[0]
    return f"{found['name']} ({where})"


def summarize(path: Path, thread: str, top: int) -> str:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        head = frames[0]
        name = head.split(":", 1)[1].strip() if ":" in head else head
        if thread and name != thread:
            continue
        count = int(count_text)
        samples += count
        functions = [_function(f) for f in frames[1:]] or ["(idle)"]
        own[functions[-1]] += count
        for function in set(functions):
            total[function] += count
    lines = [
        f"{samples} samples ({thread or 'all threads'})",
        "",
        "| self | function |",
        "|---|---|",
    ]
    lines += [f"| {n / samples:.1%} | `{f}` |" for f, n in own.most_common(top)]
    # The entry chain (the CLI down to the event loop) is on every stack of the loop: left out.
    entry = max((n for f, n in total.items() if f.startswith("<module>")), default=-1)
    inner = Counter({f: n for f, n in total.items() if n != entry})
    lines += ["", "| total | function |", "|---|---|"]
    lines += [f"| {n / samples:.1%} | `{f}` |" for f, n in inner.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--thread", default="MainThread")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print(summarize(args.profile, args.thread, args.top))
