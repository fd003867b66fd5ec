"""OFAC's 50 % rule on an ownership graph: who is blocked without being listed.

An entity owned 50 % or more, directly or indirectly, in the aggregate, by blocked persons is
blocked. Once an entity is blocked its whole stake counts (no multiplying down the chain), so the
rule is a fixed point: keep adding entities whose blocked owners' stakes sum to >= 50 %.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def blocked_by_ownership(designated: Iterable[str], stakes: Iterable[tuple[str, str, float]]) -> set[str]:
    """Entities blocked under the 50 % rule (not counting the designated ones themselves).

    ``stakes`` are (owner, owned, percent) in force on the date of interest.
    """
    owners: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for owner, owned, percent in stakes:
        owners[owned].append((owner, percent))
    listed = set(designated)
    blocked = set(listed)
    changed = True
    while changed:
        changed = False
        for owned, holders in owners.items():
            if owned in blocked:
                continue
            if sum(percent for owner, percent in holders if owner in blocked) >= 50.0:
                blocked.add(owned)
                changed = True
    return blocked - listed
