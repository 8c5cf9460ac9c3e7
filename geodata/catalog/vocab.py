"""Controlled vocabularies (phase, status, sector, agency, ...) from vocabularies.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Vocabularies:
    terms: dict[str, dict[str, dict]]

    def values(self, name: str) -> list[str]:
        return list(self.terms[name])

    def label(self, name: str, key: str) -> str:
        return self.terms[name].get(key, {}).get("label", key)

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
    with open(path, "rb") as fh:
        return Vocabularies(tomllib.load(fh))
