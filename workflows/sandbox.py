"""A Jinja2 sandbox with budgets: bounded numbers, strings, loops and time per render.

One tenant's template must not stop the process: every arithmetic operator, call, filter, loop
step and string join goes through a check here, and nothing is folded at compile time (a
constant `9**(9**8)` is refused when it runs, in microseconds, not computed by the compiler).
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import update_wrapper
from string import Formatter
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg, pass_context
from jinja2.visitor import NodeTransformer

MAX_INT_BITS = 1024  # about 308 digits: more than any amount or count a workflow needs
MAX_STRING = 1_000_000  # characters in one value, and in one rendered text
MAX_ITEMS = 100_000  # items in a list built by repetition
MAX_WIDTH = 10_000  # a padding/format width or a count argument
MAX_LOOP_STEPS = 100_000  # loop iterations in one render, all loops together
MAX_CALLS = 100_000  # calls (functions, methods, filters, macros) in one render
RENDER_SECONDS = 1.0  # CPU time of the rendering thread for one render or one condition

_LOOP_FILTER = "levqor_loop"
_CONCAT_FILTER = "levqor_concat"
_WIDTH_FILTERS = {"center": 1, "indent": 1, "wordwrap": 1, "truncate": 1, "slice": 1, "batch": 1}
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")


class LimitExceeded(ValueError):
    """An expression went over one of the sandbox's budgets."""


@dataclass
class Budget:
    """What one render may still spend."""

    deadline: float
    loop_steps: int = MAX_LOOP_STEPS
    calls: int = MAX_CALLS

    def tick(self) -> None:
        """Fail once the render has used up its time.

        Time is the rendering thread's CPU time, not the wall clock: a render that waits while
        other threads or processes hold the cores has spent nothing, so a busy machine does not
        fail a template that is cheap, and a template that computes for a second fails however
        many cores are free.
        """
        if time.thread_time() > self.deadline:
            raise LimitExceeded(f"took longer than {RENDER_SECONDS:g} s to work out")


_budget: ContextVar[Budget | None] = ContextVar("levqor_sandbox_budget", default=None)


@contextmanager
def budget(seconds: float = RENDER_SECONDS) -> Iterator[Budget]:
    """Give the renders inside this block one shared budget of time, calls and loop steps."""
    current = Budget(deadline=time.thread_time() + seconds)
    token = _budget.set(current)
    try:
        yield current
    finally:
        _budget.reset(token)


def _spend(calls: int = 0, loop_steps: int = 0) -> None:
    current = _budget.get()
    if current is None:
        return
    current.calls -= calls
    current.loop_steps -= loop_steps
    if current.calls < 0:
        raise LimitExceeded(f"makes more than {MAX_CALLS:,} calls")
    if current.loop_steps < 0:
        raise LimitExceeded(f"loops more than {MAX_LOOP_STEPS:,} times")
    current.tick()


def check_size(value: Any) -> Any:
    """Return `value` unless it is an over-long string/list or an over-large integer."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"makes a number larger than {MAX_INT_BITS} bits")
    if isinstance(value, str | bytes) and len(value) > MAX_STRING:
        raise LimitExceeded(f"makes a text longer than {MAX_STRING:,} characters")
    if isinstance(value, list | tuple) and len(value) > MAX_ITEMS:
        raise LimitExceeded(f"makes a list longer than {MAX_ITEMS:,} items")
    return value


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


def bounded_binop(op: str, left: Any, right: Any) -> Any:
    """`left op right`, refused before it runs when the result would be too large."""
    check_size(left)
    check_size(right)
    if (
        op == "**"
        and _is_int(left)
        and _is_int(right)
        and left not in (0, 1, -1)
        and right > 0
        and left.bit_length() * right > MAX_INT_BITS
    ):
        raise LimitExceeded(f"makes a number larger than {MAX_INT_BITS} bits")
    if op == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                raise LimitExceeded(f"makes a number larger than {MAX_INT_BITS} bits")
        else:
            times = right if _is_int(right) else left if _is_int(left) else 0
            if times > 0 and max(_length(left), _length(right)) * times > MAX_STRING:
                raise LimitExceeded("repeats a text or list too many times")
    if op == "%" and isinstance(left, str):
        _check_printf(left)
    return check_size(_BINOPS[op](left, right))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}


def _check_printf(fmt: str) -> None:
    for width, precision in _PRINTF.findall(fmt):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise LimitExceeded(f"formats with a width over {MAX_WIDTH:,}")


def _check_format_spec(fmt: str) -> None:
    for _, _, spec, _ in Formatter().parse(fmt):
        if spec and any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec)):
            raise LimitExceeded(f"formats with a width over {MAX_WIDTH:,}")
        if spec and "{" in spec:
            raise LimitExceeded("formats with a width taken from a value")


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse the string methods that can multiply their input before they run."""
    target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format in a function
    owner = getattr(target, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(target, "__name__", "")
    if name in ("format", "format_map"):
        _check_format_spec(owner)
    numbers = [a for a in (*args, *kwargs.values()) if _is_int(a)]
    if name in ("center", "ljust", "rjust", "zfill", "expandtabs") and any(
        n > MAX_STRING for n in numbers
    ):
        raise LimitExceeded(f"pads a text beyond {MAX_STRING:,} characters")
    if name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], list | tuple | str) else args[0]
        _check_join(owner, items)
    if name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1])


def _check_join(separator: str, items: Any) -> None:
    total = len(separator) * max(len(items) - 1, 0) + sum(_length(i) for i in items)
    if total > MAX_STRING:
        raise LimitExceeded(f"joins a text longer than {MAX_STRING:,} characters")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * max(len(new) - len(old), 0) > MAX_STRING:
            raise LimitExceeded(f"replaces into a text longer than {MAX_STRING:,} characters")


def _check_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if name in _WIDTH_FILTERS and any(
        _is_int(a) and abs(a) > MAX_WIDTH for a in (*args[1:], *kwargs.values())
    ):
        raise LimitExceeded(f"uses {name} with a number over {MAX_WIDTH:,}")
    if name == "format" and args and isinstance(args[0], str):
        _check_printf(args[0])
    if name == "join" and args:
        items = args[0] if isinstance(args[0], list | tuple | str) else list(args[0])
        separator = args[1] if len(args) > 1 else kwargs.get("d", "")
        _check_join(separator if isinstance(separator, str) else "", items)
        args = (items, *args[1:])
    if name == "replace" and len(args) >= 3:
        _check_replace(args[0], args[1], args[2])
    if name == "sum" and args and not all(isinstance(v, int | float) for v in args[0]):
        raise LimitExceeded("sum adds numbers only")


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter or test: checked, timed, and never folded at compile time."""
    pass_arg = _PassArg.from_obj(func)

    def run(context: Context, *args: Any, **kwargs: Any) -> Any:
        _spend(calls=1)
        if name in ("join", "sum", "list") and args and not isinstance(args[0], list | tuple | str):
            args = (list(_bounded_iter(args[0])), *args[1:])
        _check_filter(name, args, kwargs)
        if pass_arg is _PassArg.context:
            return check_size(func(context, *args, **kwargs))
        if pass_arg is _PassArg.eval_context:
            return check_size(func(context.eval_ctx, *args, **kwargs))
        if pass_arg is _PassArg.environment:
            return check_size(func(context.environment, *args, **kwargs))
        return check_size(func(*args, **kwargs))

    return pass_context(update_wrapper(run, func))


def _bounded_iter(iterable: Any) -> Iterator[Any]:
    for item in iterable:
        _spend(loop_steps=1)
        yield item


def _concat(items: Iterable[Any]) -> str:
    parts = [str(item) for item in items]
    if sum(len(p) for p in parts) > MAX_STRING:
        raise LimitExceeded(f"makes a text longer than {MAX_STRING:,} characters")
    return "".join(parts)


ARITHMETIC = frozenset(_BINOPS)


class _Guards(NodeTransformer):
    """Send every loop through the step counter and every `~` through the size check."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        assert isinstance(node.iter, nodes.Expr)
        node.iter = _filter_node(node.iter, _LOOP_FILTER)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter_node(nodes.List(list(node.nodes), lineno=node.lineno), _CONCAT_FILTER)


def _filter_node(value: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(value, name, [], [], None, None, lineno=value.lineno)


class _GuardedCodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        guarded = _Guards().visit(node)
        guarded.set_environment(self.environment)
        super().visit_Template(guarded, frame)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox plus budgets on arithmetic, calls, filters, loops and time."""

    code_generator_class = _GuardedCodeGenerator
    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        self.filters[_LOOP_FILTER] = _bounded_iter
        self.filters[_CONCAT_FILTER] = _concat
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        tests: dict[str, Any] = dict(self.tests)
        self.tests = {name: _bounded_filter(name, f) for name, f in tests.items()}

    def bound_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """`func` wrapped as a filter of this environment (checked, timed, never folded)."""
        return _bounded_filter(name, func)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Arithmetic with operand and result sizes checked before and after."""
        _spend()
        return bounded_binop(operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from a template: counted, timed, and refused when it would blow up."""
        _spend(calls=1)
        _check_call(__obj, args, kwargs)
        return check_size(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Attribute access, timed."""
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Item access, timed."""
        _spend()
        return super().getitem(obj, argument)
