"""Filling in a step's inputs, and every way a step can fail, told in words."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from integrations.base import ActionError
from integrations.registry import UnknownActionError
from workflows.expressions import ExpressionError, render_value


class InputsError(ValueError):
    """A step's inputs could not be filled in from the run's data; the message says why."""


def render_inputs(inputs: Any, context: dict[str, Any], *, markup: str | None = None) -> Any:
    """Render a step's inputs, naming the input that could not be filled in and why.

    `markup` is the action's integration: "slack" escapes outside data for Slack text.
    """
    if not isinstance(inputs, dict):
        return _render(inputs, context, None, markup)
    return {key: _render(value, context, key, markup) for key, value in inputs.items()}


def _render(value: Any, context: dict[str, Any], key: str | None, markup: str | None) -> Any:
    try:
        return render_value(value, context, markup=markup)
    except Exception as exc:  # a template is data: whatever it raises, the step fails in words
        field = f"“{key}”" if key else "the step's inputs"
        raise InputsError(f"Could not fill in {field}: {_why(exc)}") from exc


def _why(error: BaseException) -> str:
    cause = error.__cause__ if isinstance(error, ExpressionError) else None
    if isinstance(error, ZeroDivisionError) or isinstance(cause, ZeroDivisionError):
        return "a calculation divided by zero."
    if isinstance(error, TypeError) or isinstance(cause, TypeError):
        return (
            "a calculation mixed values that cannot be combined (for example text and a number, "
            "or a missing value). Check what the trigger or the earlier steps sent."
        )
    if isinstance(error, OverflowError):
        return "a number was too large."
    if isinstance(error, ExpressionError):
        return str(error)
    if isinstance(error, ValueError | ArithmeticError):
        return f"a value could not be used ({error})."
    return f"an unexpected error ({describe(error)})."


def describe(error: BaseException) -> str:
    """One line saying why a step failed, for people (no traceback, no class names if avoidable)."""
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ValidationError):
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'inputs'}: {e['msg']}"
            for e in error.errors()[:3]
        ]
        return "the step's inputs are not valid (" + "; ".join(problems) + ")"
    if isinstance(error, ActionError | UnknownActionError | ExpressionError | InputsError):
        return str(error)
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}" if not isinstance(error, Exception) else text


def seconds_in_words(seconds: float) -> str:
    """`1 second`, `90 seconds`, `15 minutes`, `1 hour`, `2 hours`."""
    if seconds >= 3600 and seconds % 3600 == 0:
        n = int(seconds // 3600)
        return f"{n} hour{'s' if n != 1 else ''}"
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    n = round(seconds)
    return f"{n} second{'s' if n != 1 else ''}"
