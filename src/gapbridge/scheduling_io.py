"""JSON in and out for the meeting scheduler (no Django): read and check an instance, write a schedule.

Every problem in an instance is reported as an `InvalidInstanceError` naming the place, e.g.
`requests[3].b: unknown participant 'p99'`. The file format is documented in docs/scheduling.md.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from gapbridge.domain.scheduling import (
    Fixed,
    Instance,
    InvalidInstanceError,
    Meeting,
    Participant,
    Request,
    Schedule,
    Slot,
    Table,
    reschedule_diff,
)

__all__ = ["load_instance", "parse_instance", "schedule_to_json", "write_schedule"]

_TOP = "(top level)"


def load_instance(path: Path, *, buffer: int = 0) -> Instance:
    """Read and check an instance file; errors name the file and the offending field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInstanceError(str(path), f"cannot read: {exc}") from exc
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise InvalidInstanceError(where, f"invalid JSON: {exc.msg}") from exc
    except ValueError as exc:
        raise InvalidInstanceError(str(path), f"invalid JSON: {exc}") from exc
    return parse_instance(data, buffer=buffer)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInstanceError(where, f"expected an object, got {_type_name(value)}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInstanceError(where, f"expected a list, got {_type_name(value)}")
    return value


def _string(obj: dict[str, Any], key: str, where: str) -> str:
    if key not in obj:
        raise InvalidInstanceError(where, f"missing key {key!r}")
    value = obj[key]
    if not isinstance(value, str) or not value:
        raise InvalidInstanceError(f"{where}.{key}", f"expected a non-empty string, got {json.dumps(value)}")
    return value


def _ids(items: list[Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(id, object) per item, rejecting non-objects, missing ids and duplicates."""
    first: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        where = f"{kind}[{i}]"
        obj = _object(item, where)
        ident = _string(obj, "id", where)
        if ident in first:
            raise InvalidInstanceError(
                f"{where}.id", f"duplicate id {ident!r} (first at {kind}[{first[ident]}])"
            )
        first[ident] = i
        out.append((ident, obj))
    return out


def parse_instance(data: object, *, buffer: int = 0) -> Instance:
    """Check a decoded JSON document and build the instance (see docs/scheduling.md for the format)."""
    top = _object(data, _TOP)
    for key in ("slots", "tables", "participants", "requests"):
        if key not in top:
            raise InvalidInstanceError(_TOP, f"missing key {key!r}")
    slots = _ids(_list(top["slots"], "slots"), "slots")
    tables = _ids(_list(top["tables"], "tables"), "tables")
    slot_ids = {ident for ident, _ in slots}
    table_ids = {ident for ident, _ in tables}

    participants = []
    for i, (ident, obj) in enumerate(_ids(_list(top["participants"], "participants"), "participants")):
        where = f"participants[{i}]"
        unavailable = _list(obj.get("unavailable", []), f"{where}.unavailable")
        for j, s in enumerate(unavailable):
            if not isinstance(s, str) or s not in slot_ids:
                raise InvalidInstanceError(f"{where}.unavailable[{j}]", f"unknown slot {json.dumps(s)}")
        limit = obj.get("max_meetings")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise InvalidInstanceError(
                f"{where}.max_meetings", f"expected an integer >= 0 or null, got {json.dumps(limit)}"
            )
        participants.append(Participant(ident, frozenset(unavailable), limit))
    people = {p.id for p in participants}

    requests = []
    for i, (ident, obj) in enumerate(_ids(_list(top["requests"], "requests"), "requests")):
        where = f"requests[{i}]"
        ends = []
        for key in ("a", "b"):
            pid = _string(obj, key, where)
            if pid not in people:
                raise InvalidInstanceError(f"{where}.{key}", f"unknown participant {pid!r}")
            ends.append(pid)
        if ends[0] == ends[1]:
            raise InvalidInstanceError(f"{where}.b", f"participant {ends[0]!r} cannot meet themselves")
        if "weight" not in obj:
            raise InvalidInstanceError(where, "missing key 'weight'")
        weight = obj["weight"]
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise InvalidInstanceError(f"{where}.weight", f"expected a number >= 0, got {json.dumps(weight)}")
        requests.append(Request(ident, ends[0], ends[1], weight))
    request_ids = {r.id for r in requests}

    fixed = []
    fixed_at: dict[str, int] = {}
    for i, item in enumerate(_list(top.get("fixed", []), "fixed")):
        where = f"fixed[{i}]"
        obj = _object(item, where)
        values = {}
        for key, known, kind in (
            ("request", request_ids, "request"),
            ("slot", slot_ids, "slot"),
            ("table", table_ids, "table"),
        ):
            value = _string(obj, key, where)
            if value not in known:
                raise InvalidInstanceError(f"{where}.{key}", f"unknown {kind} {value!r}")
            values[key] = value
        if values["request"] in fixed_at:
            raise InvalidInstanceError(
                f"{where}.request",
                f"request {values['request']!r} is already fixed at fixed[{fixed_at[values['request']]}]",
            )
        fixed_at[values["request"]] = i
        fixed.append(Fixed(values["request"], values["slot"], values["table"]))

    return Instance(
        slots=tuple(Slot(ident) for ident, _ in slots),
        tables=tuple(Table(ident) for ident, _ in tables),
        participants=tuple(participants),
        requests=tuple(requests),
        fixed=tuple(fixed),
        buffer=buffer,
    )


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def schedule_to_json(instance: Instance, schedule: Schedule) -> dict[str, Any]:
    """The output document: the required keys first, then what happened to the fixed meetings."""
    diff = reschedule_diff((Meeting(f.request, f.slot, f.table) for f in instance.fixed), schedule)
    reasons = {d.fixed.request: d.reason for d in schedule.dropped_fixed}
    return {
        "meetings": [{"request": m.request, "slot": m.slot, "table": m.table} for m in schedule.meetings],
        "objective": _number(schedule.objective),
        "bound": _number(schedule.bound),
        "status": str(schedule.status),
        "gap": round(schedule.gap, 6),
        "greedy_objective": None if schedule.greedy_objective is None else _number(schedule.greedy_objective),
        "kept_fixed": len(diff.kept),
        "moved": [
            {
                "request": new.request,
                "from": {"slot": before.slot, "table": before.table},
                "to": {"slot": new.slot, "table": new.table},
                "reason": reasons.get(new.request, ""),
            }
            for before, new in diff.moved
        ],
        "dropped_fixed": [
            {"request": m.request, "slot": m.slot, "table": m.table, "reason": reasons.get(m.request, "")}
            for m in diff.dropped
        ],
        "added": [m.request for m in diff.added],
    }


def write_schedule(path: Path, document: dict[str, Any]) -> None:
    """Write atomically: a temporary file in the same folder, then a rename over the target."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make the result private to the user
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
