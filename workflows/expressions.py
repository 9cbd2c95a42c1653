"""Sandboxed templating for step inputs and `when` conditions (Jinja2, no eval of user code)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.parser import Parser

from workflows.sandbox import (
    ARITHMETIC,
    MAX_STRING,
    RENDER_SECONDS,
    BoundedEnvironment,
    LimitExceeded,
    bounded_binop,
    budget,
    check_size,
)

_FAILURES = (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError)


class ExpressionError(ValueError):
    """A template or condition that cannot be parsed or evaluated, or that went over a limit."""


def escape_slack(text: str) -> str:
    """Text safe inside a Slack message: `&`, `<` and `>` escaped (no <!channel>, no fake links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_finalize(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return escape_slack(str(value))


@lru_cache(maxsize=4)
def _env(markup: str | None = None) -> BoundedEnvironment:
    """The sandbox; with markup "slack", every `{{ value }}` is escaped for Slack text."""
    finalize = _slack_finalize if markup == "slack" else None
    env = BoundedEnvironment(undefined=StrictUndefined, autoescape=False, finalize=finalize)
    env.filters["money"] = env.bound_filter("money", lambda v, cur="": f"{cur}{float(v):,.2f}")
    env.filters["summary"] = env.bound_filter("summary", summary)
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
def _compiled_template(source: str, markup: str | None = None) -> Any:
    return _env(markup).from_string(source)


@lru_cache(maxsize=1024)
def _compiled_expression(source: str) -> Any:
    return _env().compile_expression(source, undefined_to_none=True)


def check_expression(source: str) -> str:
    """Raise ExpressionError unless `source` parses as a condition within the sandbox's limits."""
    try:
        _check_constants(_env().parse("{{ " + source + " }}"))
        _compiled_expression(source)
    except LimitExceeded as exc:
        raise ExpressionError(f"the condition {source!r} {exc}") from None
    except _FAILURES as exc:
        raise ExpressionError(f"invalid condition {source!r}: {exc}") from None
    return source


def check_template(source: str) -> str:
    """Raise ExpressionError unless `source` parses as a template within the sandbox's limits."""
    if "{" not in source:
        return source
    try:
        _check_constants(_env().parse(source))
        _compiled_template(source)
    except LimitExceeded as exc:
        raise ExpressionError(f"the template {_short(source)!r} {exc}") from None
    except _FAILURES as exc:
        raise ExpressionError(f"invalid template {_short(source)!r}: {exc}") from None
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


def _short(source: str) -> str:
    return source if len(source) <= 80 else source[:79] + "…"


class _NotConstant(Exception):
    pass


def _check_constants(tree: nodes.Template) -> None:
    """Work out constant arithmetic with the sandbox's limits: `9**(9**8)` fails here, at once."""
    for node in tree.find_all(nodes.BinExpr):
        try:
            _fold(node)
        except _NotConstant:
            continue


def _fold(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Const):
        return check_size(node.value)
    if isinstance(node, nodes.BinExpr) and node.operator in ARITHMETIC:
        return bounded_binop(node.operator, _fold(node.left), _fold(node.right))
    if isinstance(node, nodes.Neg):
        return -_fold(node.node)
    if isinstance(node, nodes.Pos):
        return _fold(node.node)
    raise _NotConstant


def evaluate(source: str, context: dict[str, Any]) -> bool:
    """Evaluate a `when` condition; a missing value counts as false."""
    try:
        with budget(RENDER_SECONDS):
            return bool(_compiled_expression(source)(**context))
    except LimitExceeded as exc:
        raise ExpressionError(f"condition {source!r} {exc}") from None
    except _FAILURES as exc:
        raise ExpressionError(f"condition {source!r} failed: {exc}") from exc


def value_of(source: str, context: dict[str, Any]) -> Any:
    """The value of an expression (a step's `for_each` list); a missing value is None."""
    try:
        with budget(RENDER_SECONDS):
            return _compiled_expression(source)(**context)
    except LimitExceeded as exc:
        raise ExpressionError(f"the expression {source!r} {exc}") from None
    except _FAILURES as exc:
        raise ExpressionError(f"the expression {source!r} failed: {exc}") from exc


def render_value(value: Any, context: dict[str, Any], markup: str | None = None) -> Any:
    """Render every string in a JSON-like value; a lone `{{ expr }}` keeps the value's type.

    With `markup="slack"` (a Slack action's inputs) values from the data are escaped for Slack
    (`&`, `<`, `>`), so outside text cannot ping `<!channel>` or forge links; the template's own
    text is left as written.

    All the strings of one value share one time budget (RENDER_SECONDS), and each rendered text
    is at most MAX_STRING characters.
    """
    with budget(RENDER_SECONDS):
        return _render(value, context, markup)


def _render(value: Any, context: dict[str, Any], markup: str | None) -> Any:
    if isinstance(value, str):
        return _render_string(value, context, markup)
    if isinstance(value, dict):
        return {k: _render(v, context, markup) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, context, markup) for v in value]
    return value


def _render_string(source: str, context: dict[str, Any], markup: str | None) -> Any:
    if "{" not in source:
        return source
    lone = _lone_expression(source)
    try:
        if lone is not None:
            result = check_size(_compiled_expression(lone)(**context))
            return escape_slack(result) if markup == "slack" and isinstance(result, str) else result
        return _joined(_compiled_template(source, markup).generate(**context))
    except LimitExceeded as exc:
        raise ExpressionError(f"template {_short(source)!r} {exc}") from None
    except _FAILURES as exc:
        raise ExpressionError(f"template {_short(source)!r} failed: {exc}") from exc


def _joined(chunks: Any) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_STRING:
            raise LimitExceeded(f"makes a text longer than {MAX_STRING:,} characters")
        parts.append(chunk)
    return "".join(parts)


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
