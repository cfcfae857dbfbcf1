"""Scheduler benchmark on generated matchmaking events (fixed seeds)."""

from __future__ import annotations

import random

from gapbridge.domain.scheduling import Instance, Participant, Request, Slot, Table


def generate(
    seed: int, n_people: int, n_requests: int, n_slots: int, n_tables: int, buffer: int = 0
) -> Instance:
    """A realistic event: delegations ask providers for meetings; a few providers get most requests."""
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
    pop = [1.0 / (i + 1) ** 1.1 for i in range(n_providers)]  # Zipf-like popularity
    act = [1.0 / (i + 1) ** 0.5 for i in range(len(delegations))]  # some delegations are busier
    pairs: set[tuple[str, str]] = set()
    requests = []
    while len(requests) < n_requests:
        d = rng.choices(delegations, act)[0]
        p = rng.choices(providers, pop)[0]
        if (d, p) in pairs:
            continue
        pairs.add((d, p))
        weight = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10))
        requests.append(Request(f"r{len(requests) + 1}", d, p, weight))
    return Instance(slots, tables, tuple(people), tuple(requests), buffer=buffer)
