"""Formatting and escaping shared by every section.

Everything that comes from data passes through ``esc``: party names, file paths and free-text
descriptions are user data and may contain markup.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from pathlib import PurePath
from typing import Any

Number = int | float | Decimal


def esc(value: Any) -> str:
    """Escape a value for HTML text or a quoted attribute; None becomes an empty string."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def money(value: Number | None) -> str:
    """US dollars, whole, with thousands separators: the unit analysts quote in reports."""
    if value is None:
        return "–"
    return f"${Decimal(value):,.0f}" if value >= 0 else f"−${-Decimal(value):,.0f}"


def amount(value: Number | None, currency: str | None) -> str:
    """A whole amount in its own currency (statistics are never converted): USD as $, others by code."""
    if currency in (None, "USD"):
        return money(value)
    if value is None:
        return "–"
    sign = "" if value >= 0 else "−"
    return f"{sign}{esc(currency)} {abs(Decimal(value)):,.0f}"


def ratio(value: Number | None) -> str:
    """A multiple such as a surge: ×7.50."""
    return "–" if value is None else f"×{float(value):,.2f}"


def share(value: Number | None) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.1f}%"


def count(value: Number | None) -> str:
    return "–" if value is None else f"{int(value):,}"


def day(value: dt.date | None) -> str:
    return "–" if value is None else value.isoformat()[:10]


def month(value: dt.date | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m")


def score(value: Number | None) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def file_name(path: str | None) -> str:
    """The last part of a path, which is what a reader looks for in their folder."""
    if not path:
        return ""
    return PurePath(path.replace("\\", "/")).name


def sql_literal(value: Any) -> str:
    """A SQL literal for the snippets shown to the reader (never executed from this text)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()[:10]}'"
    return "'" + str(value).replace("'", "''") + "'"
