"""Row-for-row comparison of two engines' results, blind to order and to harmless type differences.

DuckDB returns DECIMAL(38, s) where Spark returns decimal(28, s) or a double; Spark may hand back a
midnight timestamp where DuckDB has a date. Both are normalised before comparing; anything else
(a different string, count, date, NULL) is a real difference.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from sanctrace.store.executor import Result

REL_TOL = 1e-9
ABS_TOL = 1e-6


def normalise(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    key: list[tuple[int, Any]] = []
    for value in row:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, bool):
            key.append((1, int(value)))
        elif isinstance(value, int | float):
            key.append((2, round(float(value), 4)))
        else:
            key.append((3, str(value)))
    return tuple(key)


def normalised_rows(result: Result) -> list[tuple[Any, ...]]:
    rows = [tuple(normalise(v) for v in row) for row in result.rows]
    return sorted(rows, key=_sort_key)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
            return False
        return math.isclose(float(left), float(right), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(left) is type(right) and bool(left == right)


def differences(left: Result, right: Result, limit: int = 10) -> list[str]:
    """Human-readable differences between two results; empty when they agree."""
    if left.columns != right.columns:
        return [f"columns differ: {left.columns} vs {right.columns}"]
    a, b = normalised_rows(left), normalised_rows(right)
    if len(a) != len(b):
        return [f"row counts differ: {len(a)} vs {len(b)}"]
    found = []
    for row_a, row_b in zip(a, b, strict=True):
        bad = [
            f"{col}: {x!r} vs {y!r}"
            for col, x, y in zip(left.columns, row_a, row_b, strict=True)
            if not _same(x, y)
        ]
        if bad:
            found.append("; ".join(bad))
        if len(found) >= limit:
            break
    return found
