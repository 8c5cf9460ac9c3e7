"""Dollar amounts as people write them: "$2.5B", "500M", "1e9"."""

from __future__ import annotations

import math
import re

from geodata.values import is_missing

_UNITS = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "BN": 1e9, "T": 1e12, "TN": 1e12}
_AMOUNT = re.compile(r"^\$?\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)$")


# Far above any reported investment; keeps every figure finite and printable.
MAX_AMOUNT = 1e15


def parse_amount(text: str) -> float:
    """Parse an amount in US dollars; raise ValueError with the accepted forms."""
    raw = str(text).strip().replace(",", "").replace("_", "")
    m = _AMOUNT.match(raw)
    unit = m[2].upper() if m else None
    if not m or unit not in _UNITS:
        raise ValueError(f"{text!r} is not an amount; write e.g. 500M, 2.5B, 1T or 25000000")
    value = float(m[1]) * _UNITS[unit]
    if not math.isfinite(value) or value > MAX_AMOUNT:
        raise ValueError(f"{text!r} is more than any amount a record holds; write at most 1000T")
    return value


def format_usd(value: float | None) -> str:
    """Short human form: $25B, $375M, $1.2T; empty for None."""
    if is_missing(value):
        return ""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(value) >= size:
            n = value / size
            return f"${n:,.1f}{unit}".replace(".0" + unit, unit)
    return f"${value:,.0f}"


def format_range(low: float | None, high: float | None) -> str:
    """A reported amount: "$25B", "up to $25B", "$65M–$85M", "more than $25B"."""
    lo_missing, hi_missing = is_missing(low), is_missing(high)
    if lo_missing and hi_missing:
        return ""
    if lo_missing:
        return f"up to {format_usd(high)}"
    if hi_missing:
        return f"more than {format_usd(low)}"
    if low == high:
        return format_usd(low)
    return f"{format_usd(low)}–{format_usd(high)}"
