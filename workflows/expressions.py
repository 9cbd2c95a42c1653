"""Sandboxed templating for step inputs and `when` conditions (Jinja2, no eval of user code)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment


class ExpressionError(ValueError):
    """A template or condition that cannot be parsed or evaluated."""


@lru_cache(maxsize=1)
def _env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters["money"] = lambda v, cur="": f"{cur}{float(v):,.2f}"
    env.filters["summary"] = summary
    return env


def summary(value: Any, limit: int = 1500) -> str:
    """Readable text for any payload: `key: value` lines for objects, one line per list item."""
    text = "\n".join(_summary_lines(value, 0))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary_lines(value: Any, depth: int) -> list[str]:
    if isinstance(value, dict):
        if depth > 0:
            named = value.get("title") or value.get("name") or value.get("subject")
            link = value.get("link") or value.get("url")
            if named:
                return [f"{named}" + (f" <{link}>" if link else "")]
        return [
            f"{key}: {_scalar(item)}"
            for key, item in value.items()
            if not isinstance(item, dict | list) and item not in (None, "")
        ]
    if isinstance(value, list):
        return [f"• {line}" for item in value for line in _summary_lines(item, depth + 1)[:1]]
    return [_scalar(value)]


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


@lru_cache(maxsize=1024)
def _compiled_template(source: str) -> Any:
    return _env().from_string(source)


@lru_cache(maxsize=1024)
def _compiled_expression(source: str) -> Any:
    return _env().compile_expression(source, undefined_to_none=True)


def check_expression(source: str) -> str:
    """Raise ExpressionError unless `source` parses as a condition."""
    try:
        _compiled_expression(source)
    except TemplateError as exc:
        raise ExpressionError(f"invalid condition {source!r}: {exc}") from exc
    return source


def check_template(source: str) -> str:
    """Raise ExpressionError unless `source` parses as a template."""
    try:
        _env().parse(source)
    except TemplateError as exc:
        raise ExpressionError(f"invalid template {source!r}: {exc}") from exc
    return source


def parse_template(source: str) -> nodes.Template:
    """The syntax tree of a template (to describe it in words); ExpressionError if unreadable."""
    try:
        return _env().parse(source)
    except TemplateError as exc:
        raise ExpressionError(f"invalid template {source!r}: {exc}") from exc


def parse_condition(source: str) -> nodes.Expr:
    """The syntax tree of a `when` condition; ExpressionError if unreadable."""
    try:
        parser = Parser(_env(), source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            parser.fail("unexpected text after the condition")
    except TemplateError as exc:
        raise ExpressionError(f"invalid condition {source!r}: {exc}") from exc
    return expr


def evaluate(source: str, context: dict[str, Any]) -> bool:
    """Evaluate a `when` condition; a missing value counts as false."""
    try:
        return bool(_compiled_expression(source)(**context))
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise ExpressionError(f"condition {source!r} failed: {exc}") from exc


def render_value(value: Any, context: dict[str, Any]) -> Any:
    """Render every string in a JSON-like value; a lone `{{ expr }}` keeps the value's type."""
    if isinstance(value, str):
        return _render_string(value, context)
    if isinstance(value, dict):
        return {k: render_value(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, context) for v in value]
    return value


def _render_string(source: str, context: dict[str, Any]) -> Any:
    if "{" not in source:
        return source
    lone = _lone_expression(source)
    try:
        if lone is not None:
            return _compiled_expression(lone)(**context)
        return _compiled_template(source).render(**context)
    except TemplateError as exc:
        raise ExpressionError(f"template {source!r} failed: {exc}") from exc


@lru_cache(maxsize=1024)
def _lone_expression(source: str) -> str | None:
    stripped = source.strip()
    if not (stripped.startswith("{{") and stripped.endswith("}}")):
        return None
    inner = stripped[2:-2]
    if "{{" in inner or "}}" in inner or "{%" in inner:
        return None
    try:
        parsed = _env().parse(stripped)
    except TemplateError:
        return None
    body = parsed.body
    if len(body) == 1 and isinstance(body[0], nodes.Output) and len(body[0].nodes) == 1:
        return inner
    return None
