"""The registry of actions, keyed by `<integration>.<verb>`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from integrations.base import Action


class UnknownActionError(KeyError):
    """An action name that no integration provides."""

    def __str__(self) -> str:
        return str(self.args[0])


class ActionRegistry:
    """Actions by name; build one with `default_registry()`."""

    def __init__(self, actions: Iterable[Action[Any, Any]] = ()) -> None:
        self._actions: dict[str, Action[Any, Any]] = {}
        for action in actions:
            self.register(action)

    def register(self, action: Action[Any, Any]) -> None:
        """Add an action; registering a name twice is a bug."""
        if action.name in self._actions:
            raise ValueError(f"action {action.name} registered twice")
        self._actions[action.name] = action

    def get(self, name: str) -> Action[Any, Any]:
        """The action called `name`, or UnknownActionError listing what exists."""
        try:
            return self._actions[name]
        except KeyError:
            raise UnknownActionError(
                f"unknown action {name!r}; known actions: {', '.join(sorted(self._actions))}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._actions

    def names(self) -> list[str]:
        """Every action name, sorted."""
        return sorted(self._actions)

    def actions(self) -> list[Action[Any, Any]]:
        """Every action, sorted by name."""
        return [self._actions[n] for n in self.names()]
