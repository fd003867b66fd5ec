"""The candidate index of resolve/candidates.py: which listed parties a query name blocks, in which order."""

from __future__ import annotations

import heapq

from hypothesis import given
from hypothesis import strategies as st

from sanctrace.resolve.candidates import _best

# Few distinct values, so that many positions tie at the cut, as they do when a common word blocks
# thousands of parties with the same overlap.
_OVERLAPS = st.dictionaries(
    st.integers(min_value=0, max_value=5_000),
    st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.75, 3.0, 0.5 + 2.5]),
    max_size=400,
)


@given(_OVERLAPS, st.integers(min_value=1, max_value=60))
def test_best_is_the_top_by_overlap_with_ties_to_the_lower_position(
    overlap: dict[int, float], size: int
) -> None:
    expected = heapq.nsmallest(size, overlap, key=lambda at: (-overlap[at], at))
    assert _best(overlap, size) == expected
