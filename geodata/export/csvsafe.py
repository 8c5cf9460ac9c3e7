"""Spreadsheet formula neutralisation for CSV exports (OWASP ASVS 1.2.10).

A text cell that starts with =, +, -, @, tab, CR or NUL is run as a formula by
Excel, LibreOffice and Google Sheets even when quoted; a leading apostrophe
makes it text.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
