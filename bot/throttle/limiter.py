"""Rate limits with the `limits` library: per-workspace/per-user by load tier, strict per source.

Counters live in memory, or in Redis when `REDIS_URL` is set (shared by every web node). When
Redis cannot be reached the tiered limits and most strict ones count in memory instead; the
rules marked fail-closed (signing in, sign-up, password-reset and invite mails) answer 503
rather than run uncounted. Nothing here raises anything but `TooManyRequests` or `Unavailable`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError

from bot.throttle.load import LoadMonitor
from bot.throttle.tiers import Kind, limit_for
from workflows.errors import TooManyRequests, Unavailable

log = logging.getLogger(__name__)
REDIS_RETRY_SECONDS = 5.0
_STORAGE_ERRORS = (RedisError, StorageError, OSError, TimeoutError)


@dataclass(frozen=True)
class Rule:
    """A strict limit: how many per period, what it protects, and whether it fails closed."""

    limit: str
    what: str
    fail_closed: bool = False


STRICT: dict[str, Rule] = {
    "signin_source": Rule("10/minute", "sign-in attempts from this address", fail_closed=True),
    "signin_account": Rule("5/minute", "sign-in attempts for this account", fail_closed=True),
    "signup_source": Rule("10/hour", "sign-ups from this address", fail_closed=True),
    "reset_source": Rule("5/minute", "password-reset requests from this address", True),
    "reset_account": Rule("3/hour", "password-reset mails for this account", fail_closed=True),
    "invite_workspace": Rule("30/hour", "invitation mails from this workspace", fail_closed=True),
    "api_key_failure": Rule("20/minute", "requests with a wrong API key from this address"),
    "form_post": Rule("10/minute", "form submissions from this address"),
    "hook_delivery": Rule("120/minute", "webhook deliveries from this address"),
}


class _TierItem(RateLimitItemPerMinute):
    """A per-minute item whose counter key leaves out the amount: a tier change keeps counts."""

    def key_for(self, *identifiers: bytes | str | int | float) -> str:
        """The counter's key: namespace, identifiers and period only."""
        return "/".join([self.namespace, *(str(i) for i in identifiers), "minute"])


class RateLimiter:
    """Checks and counts requests; raises TooManyRequests (429) or Unavailable (503)."""

    def __init__(
        self,
        monitor: LoadMonitor,
        redis_url: str | None = None,
        *,
        enabled: bool = True,
        limits: dict[str, str] | None = None,
    ) -> None:
        self.monitor = monitor
        self.enabled = enabled
        overrides = limits or {}
        self.rules = {
            name: Rule(overrides[name], rule.what, rule.fail_closed) if name in overrides else rule
            for name, rule in STRICT.items()
        }
        self.memory = MovingWindowRateLimiter(MemoryStorage())
        self.redis: MovingWindowRateLimiter | None = None
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                socket_connect_timeout=0.5,
                socket_timeout=0.5,
            )
            self.redis = MovingWindowRateLimiter(storage)
        self._redis_down_until = 0.0

    async def tiered(self, kind: Kind, workspace_id: str, user_id: str) -> None:
        """Count one request of `kind` for the workspace and the user, at the current tier."""
        if not self.enabled:
            return
        tier = self.monitor.tier
        amount = limit_for(tier, kind)
        item = _TierItem(amount, namespace=f"levqor-{kind}")
        for who, key in (("workspace", workspace_id), ("user", user_id)):
            allowed, retry = await self._hit(item, (who, key), fail_closed=False)
            if not allowed:
                raise TooManyRequests(
                    f"Too many requests for this {who}: {amount} {_kind_words(kind)} a minute "
                    f"while load is {tier}. Try again in {retry} seconds.",
                    retry,
                )

    async def strict(self, name: str, *keys: str, count: bool = True) -> None:
        """Count (or, with count=False, only check) one event under a strict rule."""
        if not self.enabled:
            return
        rule = self.rules[name]
        item = parse(rule.limit)
        item.namespace = f"levqor-{name}"
        allowed, retry = await self._hit(item, keys, fail_closed=rule.fail_closed, count=count)
        if not allowed:
            raise TooManyRequests(
                f"Too many {rule.what} (at most {rule.limit.replace('/', ' a ')}). "
                f"Try again in {retry} seconds.",
                retry,
            )

    async def _hit(
        self, item: RateLimitItem, keys: tuple[str, ...], *, fail_closed: bool, count: bool = True
    ) -> tuple[bool, int]:
        limiter = self.memory
        if self.redis is not None:
            if time.monotonic() >= self._redis_down_until:
                try:
                    return await self._use(self.redis, item, keys, count)
                except _STORAGE_ERRORS as exc:
                    log.warning("rate-limit store unreachable: %s", exc)
                    self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            if fail_closed:
                raise Unavailable(
                    "This is paused for a moment because the service that counts attempts is "
                    "unreachable. Please try again in a minute."
                )
        return await self._use(limiter, item, keys, count)

    async def _use(
        self,
        limiter: MovingWindowRateLimiter,
        item: RateLimitItem,
        keys: tuple[str, ...],
        count: bool,
    ) -> tuple[bool, int]:
        allowed = await (limiter.hit(item, *keys) if count else limiter.test(item, *keys))
        if allowed:
            return True, 0
        stats = await limiter.get_window_stats(item, *keys)
        return False, max(1, math.ceil(stats.reset_time - time.time()))

    async def close(self) -> None:
        """Stop the load monitor."""
        await self.monitor.stop()


def _kind_words(kind: Kind) -> str:
    return {"global": "requests", "chat": "chat messages", "billing": "billing requests"}[kind]
