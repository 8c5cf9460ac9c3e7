"""Plain-text tables for the terminal."""

from __future__ import annotations

import shutil

from geodata.values import text_or_empty


def _cell(v, width: int) -> str:
    s = text_or_empty(v)
    s = " ".join(s.split())  # no newlines or tabs inside a cell
    return s if len(s) <= width else s[: max(width - 1, 1)] + "…"


def text_table(rows: list[dict], columns: list[str], max_width: int | None = None) -> str:
    """Left-aligned columns; the widest column shrinks until the table fits the terminal."""
    max_width = max_width or shutil.get_terminal_size((120, 20)).columns
    widths = {c: max([len(c)] + [len(_cell(r.get(c), 10_000)) for r in rows]) for c in columns}
    while sum(widths.values()) + 2 * (len(columns) - 1) > max_width:
        widest = max(widths, key=widths.get)
        if widths[widest] <= 12:
            break
        widths[widest] -= 1
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        lines.append("  ".join(_cell(r.get(c), widths[c]).ljust(widths[c]) for c in columns).rstrip())
    return "\n".join(lines)
