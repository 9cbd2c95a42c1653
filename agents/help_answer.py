"""Help with a model: an answer grounded in the docs passages the offline search found, citing
them by number. Anything but a sensible, cited answer (a timeout, a refusal, text that is not the
JSON asked for, citations of passages it was not given) returns None: the caller then quotes the
passages themselves, as without a model.

The passages come in as plain data (where from, what it says); finding them is `accounts`' job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from agents.llm import LLMClient, LLMOptions, ModelUnavailable, ReplyFormatError
from prompts import load_prompt
from storage.config import Settings

log = logging.getLogger(__name__)
MAX_ANSWER = 1500


@dataclass(frozen=True)
class Source:
    """One passage given to the model: where it comes from and its text."""

    source: str
    text: str


@dataclass(frozen=True)
class GroundedAnswer:
    """The model's answer and the passages it cites (each one of those it was given)."""

    text: str
    cited: list[Source]


def model_configured(settings: Settings) -> bool:
    """Whether an OpenAI-compatible model is set up (a key or a base URL)."""
    return bool(settings.openai_api_key or settings.openai_base_url)


def help_messages(question: str, passages: list[Source]) -> list[dict[str, Any]]:
    """The one user message asking for a grounded answer."""
    numbered = "\n\n".join(f"[{n}] ({p.source})\n{p.text}" for n, p in enumerate(passages, 1))
    prompt = load_prompt("help_answer", passages=numbered, question=question)
    return [{"role": "user", "content": prompt}]


def read_answer(payload: Any, passages: list[Source]) -> GroundedAnswer | None:
    """The answer if it is one: some words and at least one citation of a given passage."""
    if not isinstance(payload, dict):
        return None
    text, cited = payload.get("answer"), payload.get("cited")
    if not isinstance(text, str) or not text.strip() or not isinstance(cited, list):
        return None
    numbers = [n for n in cited if isinstance(n, int) and not isinstance(n, bool)]
    if (
        not numbers
        or len(numbers) != len(cited)
        or any(n < 1 or n > len(passages) for n in numbers)
    ):
        return None
    chosen = [passages[n - 1] for n in dict.fromkeys(numbers)]
    return GroundedAnswer(text.strip()[:MAX_ANSWER], chosen)


async def grounded_answer(
    settings: Settings, question: str, passages: list[Source]
) -> GroundedAnswer | None:
    """Ask the configured model; None when there is no model, nothing to ground it in, or the
    model's reply is not a cited answer (the caller falls back to quoting the passages)."""
    if not passages or not model_configured(settings):
        return None
    client = LLMClient(settings, LLMOptions.from_settings(settings, style="json", attempts=2))
    try:
        reply = await client.complete(help_messages(question, passages))
        return read_answer(reply.payload(), passages)
    except (ModelUnavailable, ReplyFormatError) as exc:
        log.info("help answer: the model did not answer (%s); quoting the docs", exc)
        return None
    finally:
        await client.aclose()
