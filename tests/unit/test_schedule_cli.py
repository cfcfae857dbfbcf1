"""`gapbridge schedule-solve`: output shape, and exit status 2 with a located message for bad instances."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gapbridge.cli.app import app

runner = CliRunner()

VALID: dict[str, Any] = {
    "slots": [{"id": "s1"}, {"id": "s2"}, {"id": "s3"}],
    "tables": [{"id": "t1"}, {"id": "t2"}],
    "participants": [
        {"id": "p1", "unavailable": ["s3"], "max_meetings": 2},
        {"id": "p2"},
        {"id": "p3", "max_meetings": None},
        {"id": "p4", "max_meetings": 1},
    ],
    "requests": [
        {"id": "r1", "a": "p1", "b": "p2", "weight": 3},
        {"id": "r2", "a": "p1", "b": "p3", "weight": 2},
        {"id": "r3", "a": "p4", "b": "p2", "weight": 1.5},
        {"id": "r4", "a": "p3", "b": "p2", "weight": 1},
    ],
    "fixed": [{"request": "r2", "slot": "s3", "table": "t1"}, {"request": "r4", "slot": "s2", "table": "t2"}],
}


def run(tmp_path: Path, instance: object, *extra: str) -> tuple[Any, Path]:
    src = tmp_path / "instance.json"
    src.write_text(instance if isinstance(instance, str) else json.dumps(instance))
    out = tmp_path / "schedule.json"
    result = runner.invoke(app, ["schedule-solve", str(src), "--out", str(out), *extra])
    return result, out


def test_valid_run_writes_the_documented_shape(tmp_path: Path) -> None:
    result, out = run(tmp_path, VALID, "--time-limit", "5")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert list(doc)[:4] == ["meetings", "objective", "bound", "status"]
    assert doc["status"] == "optimal" and doc["objective"] == 5.5 and doc["bound"] == 5.5
    assert doc["meetings"] == [
        {"request": "r1", "slot": "s1", "table": "t1"},
        {"request": "r4", "slot": "s2", "table": "t2"},
        {"request": "r3", "slot": "s3", "table": "t1"},
    ]
    assert doc["kept_fixed"] == 1 and doc["moved"] == [] and doc["added"] == ["r1", "r3"]
    assert doc["dropped_fixed"] == [
        {
            "request": "r2",
            "slot": "s3",
            "table": "t1",
            "reason": "participant 'p1' is unavailable in slot 's3'",
        }
    ]
    assert "optimal: 3 meetings, objective 5.5" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_integer_weights_give_integer_figures_and_buffer_applies(tmp_path: Path) -> None:
    instance = {
        "slots": [{"id": "a"}, {"id": "b"}],
        "tables": [{"id": "T"}],
        "participants": [{"id": "x"}, {"id": "y"}, {"id": "z"}],
        "requests": [
            {"id": "1", "a": "x", "b": "y", "weight": 2},
            {"id": "2", "a": "x", "b": "z", "weight": 1},
        ],
    }
    result, out = run(tmp_path, instance, "--buffer", "1")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["objective"] == 2 and isinstance(doc["objective"], int) and doc["bound"] == 2
    assert [m["request"] for m in doc["meetings"]] == ["1"]


def _without(path: str) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    del doc[path]
    return doc


def _with(change: str, value: object) -> dict[str, Any]:
    """VALID with one field replaced, addressed like `requests[3].b`."""
    doc = copy.deepcopy(VALID)
    target: Any = doc
    parts = change.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    target[int(last) if last.isdigit() else last] = value
    return doc


BAD = [
    ("{not json", "invalid JSON"),
    ("[]", "(top level): expected an object, got a list"),
    (_without("requests"), "(top level): missing key 'requests'"),
    (_with("slots", {"id": "s1"}), "slots: expected a list, got an object"),
    (_with("slots[2].id", "s1"), "slots[2].id: duplicate id 's1' (first at slots[0])"),
    (_with("tables[1]", {}), "tables[1]: missing key 'id'"),
    (_with("participants[3].id", "p1"), "participants[3].id: duplicate id 'p1'"),
    (_with("participants[0].unavailable", ["s9"]), 'participants[0].unavailable[0]: unknown slot "s9"'),
    (_with("participants[1].max_meetings", -1), "participants[1].max_meetings: expected an integer >= 0"),
    (_with("participants[1].max_meetings", 2.5), "participants[1].max_meetings: expected an integer >= 0"),
    (_with("requests[3].id", "r1"), "requests[3].id: duplicate id 'r1'"),
    (_with("requests[3].b", "p99"), "requests[3].b: unknown participant 'p99'"),
    (_with("requests[1].a", 7), "requests[1].a: expected a non-empty string, got 7"),
    (_with("requests[2].b", "p4"), "requests[2].b: participant 'p4' cannot meet themselves"),
    (_with("requests[0].weight", -1), "requests[0].weight: expected a number >= 0, got -1"),
    (_with("requests[0].weight", "3"), 'requests[0].weight: expected a number >= 0, got "3"'),
    (_with("requests[0].weight", True), "requests[0].weight: expected a number >= 0, got true"),
    (json.dumps(VALID).replace('"weight": 3', '"weight": NaN'), "NaN is not a number JSON allows"),
    (_with("fixed[0].request", "r77"), "fixed[0].request: unknown request 'r77'"),
    (_with("fixed[1].slot", "s0"), "fixed[1].slot: unknown slot 's0'"),
    (_with("fixed[1].table", "t9"), "fixed[1].table: unknown table 't9'"),
    (_with("fixed[1].request", "r2"), "fixed[1].request: request 'r2' is already fixed at fixed[0]"),
    (_with("fixed", {}), "fixed: expected a list, got an object"),
]


@pytest.mark.parametrize(
    ("instance", "message"), BAD, ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(BAD)]
)
def test_malformed_instance_exits_2_with_a_located_message(
    tmp_path: Path, instance: object, message: str
) -> None:
    result, out = run(tmp_path, instance)
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_file_and_missing_out_folder(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["schedule-solve", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o.json")]
    )
    assert result.exit_code == 2 and "cannot read" in result.stderr
    src = tmp_path / "i.json"
    src.write_text(json.dumps(VALID))
    result = runner.invoke(app, ["schedule-solve", str(src), "--out", str(tmp_path / "no" / "o.json")])
    assert result.exit_code == 2 and "--out: folder" in result.stderr


def test_real_process_exit_status_and_stderr(tmp_path: Path) -> None:
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(_with("requests[3].b", "p99")))
    out = tmp_path / "o.json"
    proc = subprocess.run(
        [sys.executable, "-m", "gapbridge.cli", "schedule-solve", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "requests[3].b: unknown participant 'p99'" in proc.stderr and proc.stdout == ""
    assert not out.exists()
