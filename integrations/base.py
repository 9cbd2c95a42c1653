"""The contract every integration action implements: typed input/output and a declared risk."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.group_commit import GroupWriter, Work

if TYPE_CHECKING:
    from storage.config import Settings

T = TypeVar("T")


class Risk(IntEnum):
    """How far an action's effect reaches; `workflows.policy` maps it to an approval class."""

    read = 0  # reads data, changes nothing
    internal = 1  # tells our own people (Slack, email to members, reports)
    external = 2  # reaches customers/leads or writes to a system of record
    critical = 3  # deletes data, moves money or plans, handles credentials, bulk sends


class CustomerData(IntEnum):
    """How much stored customer data an action reads (CRM, Stripe, sheets, run data).

    `workflows.policy` follows it: sent outside the workspace, one record makes a workflow class B
    at least, a list (`many`) class C.
    """

    none = 0
    one = 1
    many = 2


class ActionInput(BaseModel):
    """Base for action inputs: unknown fields are an error, named in the message."""

    model_config = ConfigDict(extra="forbid")


class ActionOutput(BaseModel):
    """Base for action outputs (stored as JSON on the step run)."""

    model_config = ConfigDict(extra="allow")


class ActionError(Exception):
    """A step failed in a way retrying will not fix (bad input, refused by policy, 4xx)."""


class RetryableError(Exception):
    """A step failed in a way that may pass on retry (5xx, 429, network); may name a delay."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RideAlong(Protocol):
    """Writes of the engine's that go in the transaction of an action's first write
    (`Action.writes_first`): the run's earlier step outcomes, committed before any side effect."""

    def take(self) -> Work[Any] | None:
        """The statements to write with this write (None: nothing, or taken already)."""

    def committed(self) -> None:
        """They were committed."""

    def failed(self) -> None:
        """They were not: the next write takes them again."""


@dataclass
class ActionContext:
    """What an action may use while it runs; built by the engine for each step."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    workspace_id: str
    workflow_id: str
    run_id: str
    step_id: str
    idempotency_key: str
    dry_run: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    # The engine's group writer (`storage.group_commit`), when it has one: see `write`.
    writer: GroupWriter | None = None
    # The engine's pending writes, for the first `write` of an action that `writes_first`.
    ride_along: RideAlong | None = None
    # Sessions for reading only (`storage.db.read_sessions`); `reader` falls back to `sessions`.
    reads: async_sessionmaker[AsyncSession] | None = None

    def reader(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for an action's reads: no transaction around them on PostgreSQL."""
        return self.reads if self.reads is not None else self.sessions

    async def write(self, work: Work[T]) -> T:
        """Run `work` (statements on a connection) in a transaction and return its result once
        that has committed: on the group writer (shared with other writes of the same moment)
        when there is one, else in a session of its own. `work` must be safe to run again after
        a rollback (the group writer retries a failed shared transaction write by write).

        The engine's pending writes (`ride_along`) go in the same transaction, first."""
        if self.writer is not None:
            ride = self.ride_along.take() if self.ride_along is not None else None
            if ride is None:
                return await self.writer.write(work)
            return await self._write_with(self.writer, ride, work)
        async with self.sessions() as session:
            result = await work(await session.connection())
            await session.commit()
            return result

    async def _write_with(self, writer: GroupWriter, ride: Work[Any], work: Work[T]) -> T:
        assert self.ride_along is not None
        along = self.ride_along

        async def both(connection: Any) -> T:
            await ride(connection)
            return await work(connection)

        # Shielded: a cancelled caller (a try's timeout) still learns whether the engine's
        # writes were committed, so they are neither lost nor written twice.
        writing = asyncio.ensure_future(writer.write(both))
        try:
            result = await asyncio.shield(writing)
        except asyncio.CancelledError:
            await asyncio.wait({writing})
            _settled(along, writing)
            raise
        except BaseException:
            along.failed()
            raise
        along.committed()
        return result


def _settled(along: RideAlong, writing: asyncio.Future[Any]) -> None:
    if writing.cancelled() or writing.exception() is not None:
        along.failed()
    else:
        along.committed()


InputT = TypeVar("InputT", bound=ActionInput)
OutputT = TypeVar("OutputT", bound=ActionOutput)


@dataclass(frozen=True)
class Action(Generic[InputT, OutputT]):
    """One `<integration>.<verb>` action."""

    name: str
    description: str
    risk: Risk
    input_model: type[InputT]
    output_model: type[OutputT]
    handler: Callable[[ActionContext, InputT], Awaitable[OutputT]]
    risk_for: Callable[[dict[str, Any]], Risk] | None = None
    reads: CustomerData = CustomerData.none
    # Its first database write (`ActionContext.write`) comes before any side effect outside the
    # database: the engine's pending writes (earlier steps' outcomes) may go in its transaction.
    writes_first: bool = False

    @property
    def integration(self) -> str:
        """The integration part of the name (`slack` in `slack.post_message`)."""
        return self.name.split(".", 1)[0]

    def risk_of(self, inputs: dict[str, Any]) -> Risk:
        """The risk of this action with these (unrendered) inputs."""
        return self.risk_for(inputs) if self.risk_for else self.risk

    async def run(self, ctx: ActionContext, inputs: dict[str, Any]) -> OutputT:
        """Validate inputs, run the handler, and return its typed output."""
        return await self.handler(ctx, self.input_model.model_validate(inputs))


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds a response asks to wait: `retry-after-ms`, or `Retry-After` in seconds or a date."""
    if not headers:
        return None
    if milliseconds := headers.get("retry-after-ms"):
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
