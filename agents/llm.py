"""The LLM client: one chat completion through `AsyncOpenAI`, retried, with usage and latency.

Retries (tenacity) cover timeouts, connection errors, 408/409/429 and 5xx; a `Retry-After` (or
`retry-after-ms`) header sets the wait. Every wait is multiplied by `retry_scale`
(`LEVQOR_RETRY_BASE_SECONDS`, 1 in production, small in tests) and capped at `max_wait_seconds`.
When the attempts run out, or the server refuses the request outright, `ModelUnavailable` is raised.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Literal, cast

import openai
from openai.types.chat import ChatCompletionMessageParam
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from integrations.base import retry_after_seconds
from storage.config import Settings

Message = dict[str, Any]
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


class ModelUnavailable(Exception):
    """The model could not answer: unreachable, timing out, or refusing after every retry."""

    def __init__(self, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class ReplyFormatError(ValueError):
    """The model's reply carried no JSON object (neither a tool call nor JSON content)."""


@dataclass(frozen=True)
class LLMOptions:
    """How the client talks to the model; `from_settings` is the production choice."""

    model: str
    timeout_seconds: float = 30.0
    attempts: int = 3
    retry_scale: float = 1.0
    max_wait_seconds: float = 60.0
    style: Literal["tool", "json"] = "tool"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> LLMOptions:
        """Options read from Settings (OPENAI_MODEL, LEVQOR_STEP_TIMEOUT, LEVQOR_RETRY_*)."""
        values: dict[str, Any] = {
            "model": settings.openai_model,
            "timeout_seconds": settings.step_timeout_seconds,
            "retry_scale": settings.retry_base_seconds,
            "max_wait_seconds": settings.retry_max_seconds,
        }
        return cls(**(values | overrides))


@dataclass
class Usage:
    """Tokens spent, summed over calls."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Add another call's tokens to these."""
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.total_tokens += other.total_tokens


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asked for (arguments as the raw JSON text)."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """One completion: the assistant's content and tool calls, its usage and its cost in time."""

    content: str | None
    tool_calls: list[ToolCall]
    usage: Usage
    latency_ms: float
    attempts: int

    def payload(self) -> Any:
        """The JSON the model answered: the first tool call's arguments, else the content."""
        if self.tool_calls:
            return _loads(self.tool_calls[0].arguments, "tool call arguments")
        return _loads(_FENCE.sub("", (self.content or "").strip()), "reply")

    def as_message(self) -> Message:
        """This reply as an assistant message, to continue the conversation (a repair round)."""
        message: Message = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in self.tool_calls
            ]
        return message

    def answer_with(self, text: str) -> list[Message]:
        """Messages that answer this reply with `text`: a tool result per call, or a user turn."""
        if not self.tool_calls:
            return [{"role": "user", "content": text}]
        return [{"role": "tool", "tool_call_id": c.id, "content": text} for c in self.tool_calls]


class LLMClient:
    """A long-lived `AsyncOpenAI` (its own retries off; tenacity retries here)."""

    def __init__(self, settings: Settings, options: LLMOptions | None = None) -> None:
        self.options = options or LLMOptions.from_settings(settings)
        self._client = openai.AsyncOpenAI(
            api_key=settings.openai_api_key or "unused",
            base_url=settings.openai_base_url,
            max_retries=0,
            timeout=self.options.timeout_seconds,
        )

    async def complete(
        self,
        messages: list[Message],
        *,
        tools: list[dict[str, Any]] | None = None,
        tool_name: str | None = None,
    ) -> Reply:
        """One completion: forced tool call when `tool_name` is given, else JSON mode."""
        extra: dict[str, Any] = {}
        if tools and tool_name:
            extra["tools"] = tools
            extra["tool_choice"] = {"type": "function", "function": {"name": tool_name}}
        else:
            extra["response_format"] = {"type": "json_object"}
        start = time.perf_counter()
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.options.attempts),
            wait=self._wait,
            retry=retry_if_exception(_transient),
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    completion = await self._client.chat.completions.create(
                        model=self.options.model,
                        messages=cast("list[ChatCompletionMessageParam]", messages),
                        temperature=0,
                        **extra,
                    )
        except openai.APIError as exc:
            raise ModelUnavailable(_describe(exc, attempts), attempts) from exc
        latency_ms = (time.perf_counter() - start) * 1000
        usage = Usage()
        if completion.usage is not None:
            u = completion.usage
            usage = Usage(u.prompt_tokens, u.completion_tokens, u.total_tokens)
        if not completion.choices:
            return Reply(None, [], usage, latency_ms, attempts)
        message = completion.choices[0].message
        calls = [
            ToolCall(c.id, c.function.name, c.function.arguments)
            for c in message.tool_calls or []
            if c.type == "function"
        ]
        return Reply(message.content, calls, usage, latency_ms, attempts)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        hinted = (
            retry_after_seconds(error.response.headers)
            if isinstance(error, openai.APIStatusError)
            else None
        )
        seconds = hinted if hinted is not None else 0.5 * 2 ** (state.attempt_number - 1)
        return min(seconds * self.options.retry_scale, self.options.max_wait_seconds)


def _transient(error: BaseException) -> bool:
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return False


def _describe(error: openai.APIError, attempts: int) -> str:
    tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(error, openai.APITimeoutError):
        return f"the language model timed out {tries}"
    if isinstance(error, openai.APIConnectionError):
        return f"cannot reach the language model {tries}"
    if isinstance(error, openai.APIStatusError):
        return f"the language model answered HTTP {error.status_code} {tries}"
    return f"the language model failed {tries}: {error}"


def _loads(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:  # JSON wrapped in prose: take the outermost object
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        shown = text[:120] + ("…" if len(text) > 120 else "")
        raise ReplyFormatError(f"the {what} is not valid JSON: {shown!r}") from None
