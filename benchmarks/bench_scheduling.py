"""Meeting-scheduler benchmark on generated matchmaking events with fixed seeds.

Targets: small (300 participants, 2,000 requests, 16 slots, 60 tables) objective/bound >= 0.99 within
30 s; large (2,000 participants, 20,000 requests, 24 slots, 400 tables) >= 0.97 within 120 s.
`--quick` runs the small one only; `--stress` adds harder variants (few tables, buffer 1) without targets.

    .venv/bin/python benchmarks/bench_scheduling.py [--quick] [--stress]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass

from gapbridge.domain.scheduling import (
    Instance,
    Participant,
    Request,
    Slot,
    Table,
    check_schedule,
    greedy,
    solve,
)


def generate(
    seed: int, n_people: int, n_requests: int, n_slots: int, n_tables: int, buffer: int = 0
) -> Instance:
    """A realistic event: delegations ask providers for meetings; a few providers get most requests.

    A third of the participants are providers with Zipf-like popularity (exponent 1.1); delegations are
    mildly skewed too. A quarter of everyone arrives late or leaves early, a fifth has a few scattered
    commitments; maxima are 6 to 12 meetings; weights are priorities from 1 to 10, mostly low.
    """
    rng = random.Random(seed)
    slots = tuple(Slot(f"s{i + 1}") for i in range(n_slots))
    tables = tuple(Table(f"t{i + 1}") for i in range(n_tables))
    n_providers = n_people // 3
    providers = [f"prov{i + 1}" for i in range(n_providers)]
    delegations = [f"del{i + 1}" for i in range(n_people - n_providers)]
    people = []
    for pid in providers + delegations:
        unavailable: set[str] = set()
        roll = rng.random()
        if roll < 0.25:  # arrives late or leaves early
            k = rng.randint(1, n_slots // 4)
            block = slots[:k] if rng.random() < 0.5 else slots[-k:]
            unavailable = {s.id for s in block}
        elif roll < 0.45:  # a few scattered commitments
            unavailable = {s.id for s in rng.sample(slots, rng.randint(1, 3))}
        people.append(Participant(pid, frozenset(unavailable), rng.randint(6, 12)))
    popularity = [1.0 / (i + 1) ** 1.1 for i in range(n_providers)]
    activity = [1.0 / (i + 1) ** 0.5 for i in range(len(delegations))]
    pairs: set[tuple[str, str]] = set()
    requests: list[Request] = []
    while len(requests) < n_requests:
        d = rng.choices(delegations, activity)[0]
        p = rng.choices(providers, popularity)[0]
        if (d, p) in pairs:
            continue
        pairs.add((d, p))
        weight = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10))
        requests.append(Request(f"r{len(requests) + 1}", d, p, weight))
    return Instance(slots, tables, tuple(people), tuple(requests), buffer=buffer)


@dataclass(frozen=True)
class Case:
    name: str
    seed: int
    people: int
    requests: int
    slots: int
    tables: int
    buffer: int
    time_limit: float
    target: float | None  # objective / bound, or None for a stress case without a target


SMALL = Case("small", 1, 300, 2_000, 16, 60, 0, 30.0, 0.99)
LARGE = Case("large", 2, 2_000, 20_000, 24, 400, 0, 120.0, 0.97)
STRESS = [
    Case("small-tight (25 tables, buffer 1)", 1, 300, 2_000, 16, 25, 1, 30.0, None),
    Case("large-tight (150 tables, buffer 1)", 2, 2_000, 20_000, 24, 150, 1, 120.0, None),
]


def run(case: Case) -> bool:
    instance = generate(case.seed, case.people, case.requests, case.slots, case.tables, case.buffer)
    started = time.perf_counter()
    baseline = greedy(instance)
    greedy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    schedule = solve(instance, time_limit=case.time_limit)
    seconds = time.perf_counter() - started
    problems = check_schedule(instance, schedule.meetings)
    ratio = schedule.objective / schedule.bound if schedule.bound else 1.0
    ok = not problems and seconds <= case.time_limit + 5 and (case.target is None or ratio >= case.target)
    size = f"{case.people} participants, {case.requests} requests, {case.slots} slots, {case.tables} tables"
    print(f"{case.name}: {size}")
    print(f"  meetings         {len(schedule.meetings)}")
    print(f"  objective        {schedule.objective:g}")
    print(f"  bound            {schedule.bound:g}")
    print(f"  objective/bound  {ratio:.4f}" + (f"  (target >= {case.target})" if case.target else ""))
    print(f"  greedy           {baseline.objective:g}  ({greedy_seconds:.2f} s)")
    print(f"  objective/greedy {schedule.objective / baseline.objective:.4f}")
    print(f"  status           {schedule.status}")
    print(f"  time             {seconds:.1f} s  (limit {case.time_limit:g} s)")
    print(f"  valid            {'yes' if not problems else f'NO: {problems[:3]}'}")
    print(f"  result           {'ok' if ok else 'MISSED'}", flush=True)
    return ok


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small instance only")
    parser.add_argument("--stress", action="store_true", help="also run harder variants (no targets)")
    args = parser.parse_args(argv)
    cases = [SMALL] if args.quick else [SMALL, LARGE]
    if args.stress:
        cases += STRESS[:1] if args.quick else STRESS
    results = [run(case) for case in cases]
    if not all(results):
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
