"""Load and fault benchmark: gunicorn + PostgreSQL on loopback, 50 concurrent users, a realistic read/write mix.

Prints requests/s, p50/p95/p99 and errors (target: p99 < 300 ms, no errors) for users with think time, a
no-think-time capacity run, and with --restart-postgres the time the site needs to recover after a
PostgreSQL restart under load. Uses a fresh PostgreSQL database that it drops afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import loadgen
from benchmarks.loadgen import Step

CLI = [sys.executable, "-m", "gapbridge.cli.__main__"]
Scenario = Callable[[random.Random], list[Step]]
PG = "postgresql://postgres@127.0.0.1:5432"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _json_ok(status: int, body: bytes) -> bool:
    if status != 200:
        return False
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _html_ok(status: int, body: bytes) -> bool:
    return status == 200 and body.rstrip().endswith(b"</html>")


def scenario_factory(codes: Sequence[str], write_steps: Sequence[Step]) -> Scenario:
    groups = ["ldc", "lldc", "sids", "wto-member", "dco"]
    focus = ["connectivity-infrastructure", "digital-skills", "ecommerce-sme", "digital-payments"]

    def scenario(rng: random.Random) -> list[Step]:
        a, b = rng.sample(list(codes), 2)
        steps = [
            Step("page: home", "GET", "/", check=_html_ok),
            Step("page: country profile", "GET", f"/countries/{a}/", check=_html_ok),
            Step("api: country profile", "GET", f"/api/v1/countries/{b}", check=_json_ok),
            Step(
                "page: countries filtered", "GET", f"/countries/?group={rng.choice(groups)}", check=_html_ok
            ),
            Step(
                "api: countries filtered",
                "GET",
                f"/api/v1/countries?group={rng.choice(groups)}&limit=50",
                check=_json_ok,
            ),
            Step("page: compare", "GET", f"/compare/?c={a}&c={b}", check=_html_ok),
            Step(
                "api: observations",
                "GET",
                f"/api/v1/indicators/internet_users/observations?country={a}",
                check=_json_ok,
            ),
            Step("page: project search", "GET", f"/projects/?country={a}", check=_html_ok),
            Step("api: activities", "GET", f"/api/v1/activities?country={b}&limit=20", check=_json_ok),
            Step("page: country funding", "GET", f"/projects/funding/{a}/", check=_html_ok),
            Step("api: funding", "GET", f"/api/v1/funding?group_by=country,year&country={b}", check=_json_ok),
            Step("page: offers", "GET", f"/offers/?focus_area={rng.choice(focus)}", check=_html_ok),
            Step("api: offers", "GET", f"/api/v1/offers?focus_area={rng.choice(focus)}", check=_json_ok),
            Step("page: needs", "GET", f"/needs/?country={a}", check=_html_ok),
            Step("page: barriers", "GET", "/barriers/", check=_html_ok),
        ]
        if write_steps:  # one write per visit: about 6 % of requests
            steps.append(rng.choice(list(write_steps)))
        rng.shuffle(steps)
        return steps

    return scenario


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def recovery_seconds(timeline: list[tuple[float, bool]], restart_at: float) -> tuple[float, int]:
    """Seconds from the restart to the last failed request (0 if none failed), and the number of failures."""
    failures = [t for t, ok in timeline if not ok and t >= restart_at - 1]
    if not failures:
        return 0.0, 0
    return max(failures) - restart_at, len(failures)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10 s runs")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--restart-postgres",
        action="store_true",
        help="also restart the local PostgreSQL under load and measure recovery",
    )
    args = parser.parse_args(argv)
    seconds = 10.0 if args.quick else args.seconds
    name = "gapbridge_load_" + uuid.uuid4().hex[:8]
    subprocess.run(
        ["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{name}",
        "GAPBRIDGE_ENV": "dev",
        "GAPBRIDGE_DEBUG": "0",
        # As deployed (docs/deployment.md): one cache shared by the workers (profiles, rate limits).
        "GAPBRIDGE_REDIS_URL": os.environ.get("GAPBRIDGE_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "GAPBRIDGE_API_RATE_LIMIT": "1000000",
        "GAPBRIDGE_API_RATE_LIMIT_TOKEN": "1000000",
    }
    server = None
    try:
        subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)
        for command in (["load-reference"], ["import-iati", "--bundled"], ["seed-offers"], ["seed-needs"]):
            subprocess.run([*CLI, *command], env=env, check=True, capture_output=True)
        write_steps = prepare_writes(env)
        port = _port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gapbridge.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "--log-level",
                "warning",
                "--graceful-timeout",
                "5",
            ],
            env=env,
        )
        _wait(base + "/healthz")
        codes = [
            c["iso3"]
            for c in json.loads(
                urllib.request.urlopen(  # noqa: S310
                    base + "/api/v1/countries?limit=500"
                ).read()
            )["results"]
        ]
        scenario = scenario_factory(codes, write_steps)
        for iso3 in codes:  # warm every worker's caches a little, as a running site has
            urllib.request.urlopen(base + f"/countries/{iso3}/").read()  # noqa: S310
        print(
            f"gunicorn {args.workers} sync workers, PostgreSQL, {args.users} users, "
            f"{len(write_steps)} kinds of write in the mix"
        )
        realistic = loadgen.run(base, scenario, users=args.users, seconds=seconds, think=(0.5, 2.0))
        print(
            loadgen.report(
                realistic, f"{args.users} users, think time 0.5-2 s (target p99 < 300 ms, no errors)"
            )
        )
        capacity = loadgen.run(base, scenario, users=args.users, seconds=min(seconds, 20.0))
        print(loadgen.report(capacity, f"{args.users} users, no think time (capacity)"))
        if args.restart_postgres:
            restart_under_load(base, scenario, args.users)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            check=False,
            capture_output=True,
        )


def restart_under_load(base: str, scenario: Scenario, users: int) -> None:
    import threading

    cluster = sorted(Path("/etc/postgresql").iterdir())[0].name
    restart_at: list[float] = []

    def restart() -> None:
        time.sleep(8)
        restart_at.append(time.monotonic())
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
            check=True,
            capture_output=True,
        )

    thread = threading.Thread(target=restart)
    thread.start()
    results = loadgen.run(base, scenario, users=users, seconds=30, think=(0.5, 2.0))
    thread.join()
    recovered, failures = recovery_seconds(results.timeline, restart_at[0])
    print(loadgen.report(results, "PostgreSQL restarted 8 s into a 30 s run"))
    print(
        f"recovery: last failed request {recovered:.1f} s after the restart began; {failures} failed requests "
        f"(all errors are HTTP errors or refused requests, never a 200 with wrong content: every 200 is checked)"
    )


_SETUP = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from gapbridge.accounts import tokens
from gapbridge.accounts.models import Role, RoleAssignment
from gapbridge.countries.models import Economy
from gapbridge.organizations.models import Organization

User = get_user_model()
admin = User.objects.create_user("load-secretariat", password=None)
RoleAssignment.objects.create(user=admin, role=Role.SECRETARIAT)
out = {"focal_points": [], "providers": []}
for iso3 in sys.argv[1:]:
    user = User.objects.create_user(f"load-fp-{iso3.lower()}", password=None)
    RoleAssignment.objects.create(user=user, role=Role.FOCAL_POINT, economy=Economy.objects.get(iso3=iso3))
    _, secret = tokens.issue(admin, user, "load test", ["read", "write"], days=1)
    out["focal_points"].append({"iso3": iso3, "token": secret})
for org in Organization.objects.filter(offers__isnull=False).distinct().order_by("pk")[:3]:
    user = User.objects.create_user(f"load-provider-{org.pk}", password=None)
    RoleAssignment.objects.create(user=user, role=Role.ORG_EDITOR, organization=org)
    _, secret = tokens.issue(admin, user, "load test", ["read", "write"], days=1)
    out["providers"].append({"organization": org.pk, "token": secret})
print(json.dumps(out))
"""

WRITE_COUNTRIES = ("KEN", "SEN", "BGD", "PER", "JOR")


def _created(status: int, body: bytes) -> bool:
    return status == 201 and _json_ok(200, body)


def prepare_writes(env: dict[str, str]) -> list[Step]:
    """Writes in the mix: focal points (bearer tokens with the `write` scope) create needs and report barriers.

    Every write is a real API call through the services (permission checks, validation, audit log, history).
    """
    done = subprocess.run(
        [sys.executable, "-c", _SETUP, *WRITE_COUNTRIES],
        env={**env, "DJANGO_SETTINGS_MODULE": "gapbridge.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    actors = json.loads(done.stdout.strip().splitlines()[-1])
    steps: list[Step] = []
    for fp in actors["focal_points"]:
        headers = (("Authorization", f"Bearer {fp['token']}"), ("Content-Type", "application/json"))
        need = {
            "country": fp["iso3"],
            "title": "Training for SME exporters on online marketplaces",
            "description": "Ministry of trade request: capacity building for small exporters selling online.",
            "focus_areas": ["ecommerce-sme", "digital-skills"],
            "kinds": ["training"],
            "languages": ["en"],
        }
        barrier = {
            "title": "Customs clearance of low-value parcels takes weeks",
            "description": "Small online sellers report long delays for parcels under the de minimis threshold.",
            "country": fp["iso3"],
            "category": "customs_de_minimis",
            "focus_areas": ["trade-facilitation"],
        }
        steps.append(
            Step(
                "api write: create need",
                "POST",
                "/api/v1/needs",
                json.dumps(need).encode(),
                headers,
                _created,
            )
        )
        steps.append(
            Step(
                "api write: report barrier",
                "POST",
                "/api/v1/barriers",
                json.dumps(barrier).encode(),
                headers,
                _created,
            )
        )
    return steps


if __name__ == "__main__":
    main(sys.argv[1:])
