"""Execution leases: the one process executing a run holds its lease; others leave the run alone.

A claim is one conditional UPDATE (with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so a claimer
never waits on another's claim): it succeeds only if nobody holds the run or its holder's lease
expired, and only if the lease is still the one the claimer read (`lease_expires_at` doubles as
the lease's version: every claim and renewal moves it). The same UPDATE marks the run running,
so a lease costs no statement of its own on the hot path. The engine does not even wait for it:
it works the claim out from the run as loaded (`expect`: the claim only succeeds while the lease
is the one loaded, so what it writes is known) and writes it with the run's first commit
(`claim_on`, which checks it), before any action starts. The holder's `LeaseKeeper` renews its
leases every third of `LEVQOR_LEASE_SECONDS`; the run's last write releases it.

A process that died on this machine (same host and PID namespace, its PID gone) has its leases
expired at once by `expire_dead_owners`, so a restart continues its runs without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Run, RunStatus
from storage.types import utcnow

log = logging.getLogger(__name__)
ACTIVE = (RunStatus.queued, RunStatus.running, RunStatus.waiting)


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:").strip("[]")
    except OSError:
        return "-"


def new_owner() -> str:
    """A lease owner id for one engine: host, PID namespace, PID and a random part."""
    return f"{socket.gethostname()}:{_pid_namespace()}:{os.getpid()}:{secrets.token_hex(4)}"


def is_dead_here(owner: str) -> bool:
    """Whether `owner` was a process on this machine (same PID namespace) that no longer runs."""
    parts = owner.rsplit(":", 3)
    if len(parts) != 4 or not parts[2].isdigit():
        return False
    host, namespace, pid = parts[0], parts[1], int(parts[2])
    if host != socket.gethostname() or namespace != _pid_namespace() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child its parent has not reaped yet is a zombie: dead all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class Claim:
    """A run this engine now holds: how often it was recovered and its running clock."""

    recoveries: int
    recovered: bool
    running_since: datetime
    active_seconds: float


_b = bindparam
_CLAIM = (
    update(Run)
    .where(
        col(Run.id) == _b("c_id"),
        col(Run.status).in_(ACTIVE),
        or_(col(Run.status) != RunStatus.waiting, col(Run.resume_at) <= _b("c_now")),
        or_(col(Run.lease_owner).is_(None), col(Run.lease_expires_at) < _b("c_now")),
        col(Run.lease_expires_at).is_not_distinct_from(_b("c_seen")),
        col(Run.id).in_(
            select(Run.id).where(col(Run.id) == _b("c_id")).with_for_update(skip_locked=True)
        ),
    )
    .values(
        status=RunStatus.running,
        resume_at=None,
        started_at=func.coalesce(Run.started_at, _b("c_now")),
        running_since=func.coalesce(Run.running_since, _b("c_now")),
        lease_owner=_b("c_owner"),
        lease_expires_at=_b("c_until"),
        # A lease still held (not released) means the last execution never finished.
        recoveries=Run.recoveries + case((col(Run.lease_owner).is_(None), 0), else_=1),
    )
    .returning(
        col(Run.recoveries), col(Run.started_at), col(Run.running_since), col(Run.active_seconds)
    )
    .execution_options(synchronize_session=False)
)


@dataclass(frozen=True)
class PendingClaim:
    """A claim worked out from the run as loaded, to be written with the run's first commit."""

    params: dict[str, Any]
    claim: Claim


def expect(run: Run, owner: str, seconds: float) -> PendingClaim:
    """The claim of `run` (as loaded) that `claim_on` will write, applied to `run` already.

    The claim succeeds only while the lease is the one loaded (`lease_expires_at` unchanged),
    so what it writes follows from the loaded row: the engine goes on without a round trip and
    writes the claim in the same transaction as its first change. `claim_on` checks it.
    """
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    recovered = run.lease_owner is not None  # a lease still held: the last execution stopped
    recoveries = run.recoveries + (1 if recovered else 0)
    running_since = run.running_since or now
    params = {"c_id": run.id, "c_now": now, "c_seen": run.lease_expires_at,
              "c_owner": owner, "c_until": until}  # fmt: skip
    run.status, run.resume_at, run.started_at = RunStatus.running, None, run.started_at or now
    run.running_since, run.lease_owner, run.lease_expires_at = running_since, owner, until
    run.recoveries = recoveries
    claim = Claim(recoveries, recovered, running_since, float(run.active_seconds))
    return PendingClaim(params, claim)


class ClaimChanged(Exception):
    """The run changed between its load and its claim: what was worked out from it is wrong."""


async def claim_on(connection: AsyncConnection, pending: PendingClaim) -> bool:
    """Write the claim in the connection's transaction: False if someone else has the run.

    Raises `ClaimChanged` (rolling the transaction back is the caller's) when the claim wrote
    something other than what `expect` worked out."""
    row = (await connection.execute(_CLAIM, pending.params)).first()
    if row is None:
        return False
    recoveries, _started_at, _running_since, active_seconds = row
    claim = pending.claim
    if int(recoveries) != claim.recoveries or float(active_seconds) != claim.active_seconds:
        raise ClaimChanged(str(pending.params["c_id"]))
    return True


_CRASHED = (
    update(Run)
    .where(
        col(Run.id) == _b("x_id"),
        col(Run.status).in_(ACTIVE),
        or_(col(Run.lease_owner).is_(None), col(Run.lease_owner) == _b("x_owner")),
    )
    .values(
        recoveries=Run.recoveries + 1,
        lease_owner=None,
        lease_expires_at=_b("x_now"),
    )
    .returning(col(Run.recoveries))
    .execution_options(synchronize_session=False)
)


async def count_crash(session: AsyncSession, run_id: str, owner: str) -> int | None:
    """Count an execution that failed without finishing the run and free it for the next try.

    Returns the new count, or None when the run is finished or another process holds it.
    """
    connection = await session.connection()
    params = {"x_id": run_id, "x_owner": owner, "x_now": utcnow()}
    row = (await connection.execute(_CRASHED, params)).first()
    return int(row[0]) if row is not None else None


async def release(sessions: async_sessionmaker[AsyncSession], run_id: str, owner: str) -> None:
    """Give a run's lease back without counting anything (this process is shutting down)."""
    async with sessions() as session:
        await session.exec(
            update(Run)
            .where(col(Run.id) == run_id, col(Run.lease_owner) == owner)
            .values(lease_owner=None, lease_expires_at=utcnow())
        )
        await session.commit()


async def expire_dead_owners(session: AsyncSession) -> int:
    """Expire the leases held by processes of this machine that are gone; how many runs."""
    now = utcnow()
    owners = await session.exec(
        select(Run.lease_owner)
        .where(
            col(Run.status).in_(ACTIVE),
            col(Run.lease_owner).is_not(None),
            col(Run.lease_expires_at) >= now,
        )
        .distinct()
    )
    dead = [o for o in owners.all() if o is not None and is_dead_here(o)]
    if not dead:
        return 0
    result: Any = await session.exec(
        update(Run)
        .where(col(Run.lease_owner).in_(dead), col(Run.lease_expires_at) >= now)
        .values(lease_expires_at=now - timedelta(microseconds=1))
    )
    await session.commit()
    return int(result.rowcount or 0)


async def claimable(session: AsyncSession, limit: int = 1000) -> list[str]:
    """Runs left running or queued by nobody, or by a process whose lease expired."""
    now = utcnow()
    query = (
        select(Run.id)
        .where(
            col(Run.status).in_((RunStatus.queued, RunStatus.running)),
            or_(col(Run.lease_owner).is_(None), col(Run.lease_expires_at) < now),
        )
        .order_by(col(Run.created_at))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


_RENEW = (
    update(Run)
    .where(col(Run.lease_owner) == _b("r_owner"), col(Run.id).in_(_b("r_ids", expanding=True)))
    .values(lease_expires_at=_b("r_until"))
    .returning(col(Run.id))
    .execution_options(synchronize_session=False)
)


class LeaseKeeper:
    """Renews the leases this engine holds every third of the lease time, in one statement.

    A run whose lease was not renewed (another process took it over after it expired: this one
    was paused or cut off) is `lost`; the engine stops executing it before its next step.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], owner: str, seconds: float
    ) -> None:
        self._sessions = sessions
        self.owner = owner
        self.seconds = seconds
        self._held: set[str] = set()
        self.lost: set[str] = set()
        # Runs whose next write gives the lease back (their end, a wait): a renewal that misses
        # one of them found it already released by that write, not taken by another process.
        self._ending: set[str] = set()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def hold(self, run_id: str) -> None:
        """Renew this run's lease from now on (call once its claim is committed)."""
        self._held.add(run_id)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="levqor-lease-keeper")

    def ending(self, run_id: str) -> None:
        """The run's next write releases its lease (call just before it)."""
        if run_id in self._held:
            self._ending.add(run_id)

    def release(self, run_id: str) -> None:
        """Stop renewing this run's lease (its end released it, or it was lost)."""
        self._held.discard(run_id)
        self.lost.discard(run_id)
        self._ending.discard(run_id)
        if not self._held:
            self._changed.set()

    async def stop(self) -> None:
        """Stop renewing (shutdown)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def renew(self) -> None:
        """Renew every held lease now."""
        started = asyncio.get_running_loop().time()
        held = list(self._held)
        renewed: set[str] = set()
        until = utcnow() + timedelta(seconds=self.seconds)
        async with self._sessions() as session:
            connection = await session.connection()
            for start in range(0, len(held), 500):
                params = {"r_owner": self.owner, "r_ids": held[start : start + 500]}
                rows = await connection.execute(_RENEW, {**params, "r_until": until})
                renewed.update(str(r[0]) for r in rows)
            await session.commit()
        took = asyncio.get_running_loop().time() - started
        if took > self.seconds / 3:
            log.warning("renewing %d run leases took %.1f s (the lease lasts %.1f s)",
                        len(held), took, self.seconds)  # fmt: skip
        for run_id in set(held) - renewed:
            if run_id in self._held and run_id not in self._ending:
                log.warning("run %s: lease lost to another process; stopping here", run_id)
                self.lost.add(run_id)

    async def _loop(self) -> None:
        while self._held:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=self.seconds / 3)
            if not self._held:
                return
            try:
                await self.renew()
            except Exception:
                log.exception("could not renew run leases; trying again")
