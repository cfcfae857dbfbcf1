"""How much a meeting request is worth to the scheduler (pure: no Django).

The requester says "must meet" or "would like to meet". When the other side answers with its own interest
(or had asked for the same meeting itself) the interest is mutual and the meeting is worth more:

| requester      | other side     | weight |
| -------------- | -------------- | ------ |
| would like     | (just accepts) | 1      |
| must           | (just accepts) | 5      |
| would like     | would like     | 4      |
| must           | would like     | 8      |
| must           | must           | 12     |

Weights are integers so that the scheduler proves optimality on exact numbers. A "must" outweighs a
mutual "would like" on purpose: organisers promise must-meetings first.
"""

from __future__ import annotations

from typing import Final

POINTS: Final = {"must": 5, "would_like": 1}
MUTUAL_BONUS: Final = 2


def request_weight(preference: str, other_side: str | None = None) -> int:
    """The weight of a request with the requester's `preference` and, if mutual, the other side's."""
    try:
        weight = POINTS[preference]
        if other_side:
            weight += POINTS[other_side] + MUTUAL_BONUS
    except KeyError as exc:
        raise ValueError(f"unknown preference {exc.args[0]!r}; expected one of {', '.join(POINTS)}") from None
    return weight
