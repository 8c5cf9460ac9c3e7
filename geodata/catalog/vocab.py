"""Controlled vocabularies (phase, status, sector, agency, ...) from vocabularies.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geodata import settings

# Drawn for a term without a colour (or a value outside the vocabulary, such as an
# imported parcel's missing phase): a neutral grey that no phase uses.
FALLBACK_COLOUR = "#444444"
# Colours go into style attributes and SVG unescaped, so only plain hex colours are accepted.
_HEX_COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")


@dataclass(frozen=True)
class Vocabularies:
    terms: dict[str, dict[str, dict]]

    def values(self, name: str) -> list[str]:
        return list(self.terms[name])

    def label(self, name: str, key: str) -> str:
        return self.terms[name].get(key, {}).get("label", key)

    def colour(self, name: str, key: str) -> str:
        """The term's `colour`; FALLBACK_COLOUR when the term has none or `key` is not a term."""
        return self.terms[name].get(key, {}).get("colour", FALLBACK_COLOUR)

    def colours(self, name: str) -> dict[str, str]:
        """Every term's colour, in vocabulary order (legends and chart scales)."""
        return {k: self.colour(name, k) for k in self.terms[name]}

    def allowed(self, name: str) -> str:
        return ", ".join(self.values(name))

    def problem(self, name: str, value: object) -> str | None:
        """None when `value` is in the vocabulary, else a message naming the allowed values."""
        if value in self.terms[name]:
            return None
        return f"{value!r} is not a known {name.replace('_', ' ')}; allowed: {self.allowed(name)}"

    def status_rank(self, status: str) -> int:
        return self.values("status").index(status)

    def federal_agencies(self) -> list[str]:
        return [k for k, v in self.terms["agency"].items() if v.get("federal")]


def load_vocabularies(path: str | Path) -> Vocabularies:
    """Raises ValueError for a colour that is not a hex colour (the catalog loader reports it)."""
    with open(path, "rb") as fh:
        terms = tomllib.load(fh)
    for name, entries in terms.items():
        for key, entry in entries.items() if isinstance(entries, dict) else ():
            colour = entry.get("colour") if isinstance(entry, dict) else None
            if colour is not None and not (isinstance(colour, str) and _HEX_COLOUR.match(colour)):
                raise ValueError(f'{name}.{key}: colour {colour!r} is not a hex colour such as "#0072B2"')
    return Vocabularies(terms)


@cache
def shipped_vocabularies() -> Vocabularies:
    """The shipped catalog's vocabularies, for code that has no loaded catalog at hand (module-level defaults)."""
    return load_vocabularies(settings.SHIPPED_CATALOG / "vocabularies.toml")
