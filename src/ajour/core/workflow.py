"""Workflows as tables, as Hypha declares its phases: every allowed move of a record's status, the
action that makes it and the roles that may take it.

Each domain app declares its workflows once (`claims/workflow.py`, `catalogue/workflow.py`). The services
guard every status change with `allows(action, status, target=…)`; views hand pages `actions(status,
role)` so a page offers exactly what the service will accept. Who may act on one particular record
(their own claim, their own application) stays in the apps' permission functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    roles: frozenset[str]


def moves(
    action: str, sources: Iterable[str], targets: Iterable[str], roles: Iterable[str]
) -> list[Transition]:
    """`action` may move a record from any of `sources` to any of `targets`."""
    who = frozenset(roles)
    return [Transition(action, source, target, who) for source in sources for target in targets]


def stays(action: str, statuses: Iterable[str], roles: Iterable[str]) -> list[Transition]:
    """`action` may be taken in any of `statuses` and leaves the status as it is."""
    who = frozenset(roles)
    return [Transition(action, status, status, who) for status in statuses]


@dataclass(frozen=True)
class Workflow:
    name: str
    transitions: tuple[Transition, ...]

    def allows(self, action: str, source: str, *, target: str | None = None, role: str | None = None) -> bool:
        """Whether the table declares `action` from `source` (to `target`, by `role`, when given)."""
        return any(
            t.action == action
            and t.source == source
            and (target is None or t.target == target)
            and (role is None or role in t.roles)
            for t in self.transitions
        )

    def actions(self, source: str, role: str | None) -> frozenset[str]:
        """What `role` may do from `source`: the page's "can do" flags."""
        return frozenset(t.action for t in self.transitions if t.source == source and role in t.roles)

    def sources(self, action: str) -> tuple[str, ...]:
        """The statuses `action` may be taken from, in declaration order."""
        return tuple(dict.fromkeys(t.source for t in self.transitions if t.action == action))
