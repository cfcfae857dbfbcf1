"""The shape of the matrix table and how one cell is run and judged.

A `Write` names one write (its method and path template, exactly as the enumeration spells it), builds
the objects it acts on (`build` returns the concrete path and body), and declares who may do it
(`allowed`). Every other role is refused. A URL behind which a form field picks one of several actions
has one entry per action (`variant`). `status` overrides the refusal code for a role where the code
answers 404 on purpose (a private object the actor may not even see). `bugs` lists cells that are wrong
in the code today: they run as strict xfails, so they fail the day the bug is fixed and the entry must be
updated.

Expected outcome of a cell:
- allowed: a 2xx (API) or 2xx/3xx (page) answer, and the database changed;
- refused, signed in: 403 (or the declared `status`), and the database is exactly as before;
- refused, anonymous: API 401; pages redirect (302) to the login page; the database is as before;
- API credentials that must never write (a token without the `write` scope, an expired or a revoked
  token): 401; a session without the CSRF token: 403 (API and pages alike).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.integration.permission_matrix.world import World

Body = dict[str, Any]


@dataclass(frozen=True)
class Call:
    path: str
    body: Body = field(default_factory=dict)


@dataclass(frozen=True)
class Write:
    key: str  # "POST /api/v1/needs/{need_id}/transitions" or "POST needs/<int:need_id>/status/"
    build: Callable[[World], Call]
    allowed: frozenset[str]
    status: Mapping[str, int] = field(default_factory=dict)
    bugs: Mapping[str, str] = field(default_factory=dict)
    variant: str = ""  # one of several actions behind the same URL (e.g. a form's `action` field)

    @property
    def label(self) -> str:
        return f"{self.key} [{self.variant}]" if self.variant else self.key

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    @property
    def route(self) -> str:
        return self.key.split(" ", 1)[1]


def write(
    key: str,
    build: Callable[[World], Call],
    allowed: set[str] | frozenset[str],
    *,
    status: Mapping[str, int] | None = None,
    bugs: Mapping[str, str] | None = None,
    variant: str = "",
) -> Write:
    return Write(key, build, frozenset(allowed), dict(status or {}), dict(bugs or {}), variant)


@dataclass(frozen=True)
class Exempt:
    """A write outside the role matrix, with the reason and where it is tested instead."""

    key: str
    reason: str
