"""LLM drafting over the dev set against the scripted server: model calls per draft and latency.

The scripted model answers every request with the offline planner's own reading of it (a valid
spec, through a tool call), so the figures measure the LLM path itself: one call per draft when
the answer validates, the client, loopback HTTP, validation and the policy, not a real model.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agents.evaluation import load_cases
from agents.llm_catalogue import TOOL_NAME
from agents.llm_drafter import LLMDrafter
from agents.planner import draft as offline_draft
from bench.common import percentile
from integrations.catalog import default_registry
from storage.config import Settings
from tests.fakes.openai_server import ScriptedOpenAI

DEV = ROOT / "tests" / "agents" / "dev_cases.jsonl"


async def run(path: Path = DEV) -> None:
    """Draft every dev request through LLMDrafter and print calls per draft and latency."""
    requests = [case["request"] for case in load_cases(path)]
    registry = default_registry()
    async with ScriptedOpenAI.running() as server:
        settings = Settings.model_validate(
            {
                "LEVQOR_DATA_DIR": tempfile.mkdtemp(prefix="levqor-bench-"),
                "OPENAI_API_KEY": "sk-bench",
                "OPENAI_BASE_URL": server.base_url,
                "LEVQOR_STEP_TIMEOUT": 10,
            }
        )
        drafter = LLMDrafter(settings, registry)
        calls: list[int] = []
        timings: list[float] = []
        sources: Counter[str] = Counter()
        tokens = 0
        for request in requests:
            reading = offline_draft(request, registry)
            answer = reading.model_dump(include={"status", "question", "reason", "timezone"})
            server.reply_tool_calls([(TOOL_NAME, answer | {"workflow": reading.workflow})])
            traced = await drafter.draft_traced(request)
            server.queue.clear()  # a request the guard refused never asked the model
            sources[traced.source] += 1
            tokens += traced.usage.total_tokens
            timings.append(traced.latency_ms)
            if traced.source == "llm":
                calls.append(traced.model_calls)
        await drafter.aclose()
    print(
        f"drafts: {len(requests)}  sources: {dict(sources)}  model requests: "
        f"{len(server.requests)}  tokens (scripted): {tokens}"
    )
    print(
        f"model calls per LLM draft: mean {statistics.mean(calls):.2f}  max {max(calls)}"
        f"  (n={len(calls)})"
    )
    print(
        f"drafting latency: p50 {percentile(timings, 50):.1f} ms  "
        f"p95 {percentile(timings, 95):.1f} ms  max {max(timings):.1f} ms"
    )


def main() -> None:
    """Entry point: `python -m bench.model_calls [dev-cases.jsonl]`."""
    asyncio.run(run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEV))


if __name__ == "__main__":
    main()
