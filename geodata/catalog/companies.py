"""Companies of the story, their stance towards each programme, and the one name each spelling means.

Records name companies as free text ("SoftBank", "SoftBank Group", "SB Energy").
companies.csv gives each company an id, its other spellings (aliases) and its
parent, so every spelling resolves to one company, and a subsidiary's records
count as its parent's too. stances.csv holds what each company was reported to
think of a programme, one row per report: the latest row on or before a date is
the stance as it stood then, the earlier rows are its history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from geodata.catalog.schema import Date, _vocab_check, slug

# Columns the catalog frames gain: the stance terms of the companies a record
# touches (read by the stance filter) and the same as text for exports.
STANCE_KEYS = "_stances"
STANCE_TEXT = "company_stances"


class Company(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    name: str = Field(min_length=1)
    aliases: list[str] = []
    parent: str | None = None
    note: str | None = None

    _check_id = field_validator("id")(slug)


class Stance(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, arbitrary_types_allowed=True)

    company: str = Field(min_length=1)
    program: str
    stance: str
    date: Date
    sources: list[str] = Field(min_length=1)
    confidence: str
    note: str | None = None

    @field_validator("program", "stance", "confidence")
    @classmethod
    def _in_vocabulary(cls, v: str, info: ValidationInfo) -> str:
        return _vocab_check(info.field_name, v, info)


def spelling(name: str) -> str:
    """How names are compared: case and spacing do not count."""
    return " ".join(str(name).split()).casefold()


@dataclass(frozen=True)
class CompanyBook:
    """The companies and their stances, validated (see catalog/load.py)."""

    companies: dict[str, Company] = field(default_factory=dict)
    stances: tuple[Stance, ...] = ()  # company ids resolved, sorted by date
    names: dict[str, str] = field(default_factory=dict)  # spelling -> company id

    @classmethod
    def build(cls, companies: list[Company], stances: list[Stance]) -> CompanyBook:
        names: dict[str, str] = {}
        for c in companies:
            for n in (c.id, c.name, *c.aliases):
                names.setdefault(spelling(n), c.id)
        ordered = sorted(stances, key=lambda s: (s.date.start, s.date.end))
        return cls({c.id: c for c in companies}, tuple(ordered), names)

    # ------------------------------------------------------------ names

    def resolve(self, name: str | None) -> str | None:
        """The id of the company a spelling (or id) names; None if no company has it."""
        if name is None:
            return None
        return self.names.get(spelling(name))

    def key(self, name: str) -> str:
        """A company id, or the name as written for a company the catalog does not list."""
        return self.resolve(name) or " ".join(str(name).split())

    def name(self, key: str) -> str:
        c = self.companies.get(key)
        return c.name if c else key

    def lineage(self, key: str) -> list[str]:
        """The company and its parents, nearest first (a loop in the file is stopped by the loader)."""
        out = [key]
        while (c := self.companies.get(out[-1])) is not None and c.parent and c.parent not in out:
            out.append(c.parent)
        return out

    def group(self, key: str) -> str:
        return self.lineage(key)[-1]

    def touched(self, names: list[str] | None) -> list[str]:
        """Every company a record naming `names` touches: each named company and its parents."""
        out: list[str] = []
        for n in names or ():
            for k in self.lineage(self.key(n)):
                if k not in out:
                    out.append(k)
        return out

    def all_keys(self, frames: list[pd.DataFrame]) -> list[str]:
        """The listed companies, then any other company the records name, by name."""
        keys = list(self.companies)
        extra = {self.key(n) for df in frames if "companies" in df for names in df["companies"] for n in names or ()}
        return keys + sorted(extra - set(keys), key=str.casefold)

    # ------------------------------------------------------------ stances

    def current(self, when: date | None = None) -> dict[tuple[str, str], Stance]:
        """(company, program) -> the stance as it stood on `when` (None: the latest)."""
        out: dict[tuple[str, str], Stance] = {}
        for s in self.stances:
            if when is None or s.date.start <= when:
                out[(s.company, s.program)] = s
        return out

    def history(self, company: str, program: str, when: date | None = None) -> list[Stance]:
        return [
            s
            for s in self.stances
            if s.company == company and s.program == program and (when is None or s.date.start <= when)
        ]

    def of_record(self, names: list[str] | None, current: dict[tuple[str, str], Stance]) -> list[Stance]:
        """The stances of every company a record touches."""
        touched = self.touched(names)
        return [s for (company, _p), s in current.items() if company in touched]


def stance_text(book: CompanyBook, s: Stance) -> str:
    return f"{book.name(s.company)} {s.stance} ({s.program}, {s.date.text})"


def annotate(df: pd.DataFrame, book: CompanyBook, order: list[str], when: date | None = None) -> pd.DataFrame:
    """Set the stance columns of a layer's frame, as the stances stood on `when`; `order` is the stance vocabulary."""
    current = book.current(when)
    rank = {k: i for i, k in enumerate(order)}
    keys, texts = [], []
    names = df["companies"] if "companies" in df else [[]] * len(df)
    for n in names:
        found = sorted(book.of_record(n if isinstance(n, list) else [], current), key=lambda s: rank.get(s.stance, 99))
        keys.append(list(dict.fromkeys(s.stance for s in found)))
        texts.append([stance_text(book, s) for s in found])
    df[STANCE_KEYS] = keys
    df[STANCE_TEXT] = texts
    return df


def touches(df: pd.DataFrame, book: CompanyBook, key: str) -> pd.Series:
    """Which rows of a layer touch company `key` (directly, or through a subsidiary)."""
    if df.empty or "companies" not in df:
        return pd.Series(False, index=df.index)
    return df["companies"].map(lambda names: key in book.touched(names if isinstance(names, list) else []))


# ---------------------------------------------------------------- one row per company and programme


def _place(row: pd.Series) -> str:
    where = ", ".join(p for p in (row.get("city"), "/".join(row.get("state") or [])) if isinstance(p, str) and p)
    return f"{row['name']} ({where})" if where else str(row["name"])


def stance_rows(
    book: CompanyBook,
    frames: dict[str, pd.DataFrame],
    order: list[str],
    when: date | None = None,
    stances: tuple[str, ...] = (),
    programs: tuple[str, ...] = (),
    history: bool = False,
) -> list[dict]:
    """One row per company and programme (per report with `history`), with the company's plants and amounts.

    `frames` are the layers as they stood on `when`; the stance is the latest
    reported on or before it. The facilities and amounts are everything the
    company touches, its subsidiaries' included.
    """
    current = book.current(when)
    chosen = [s for s in book.stances if (when is None or s.date.start <= when)] if history else list(current.values())
    chosen = [s for s in chosen if (not stances or s.stance in stances) and (not programs or s.program in programs)]
    rank = {k: i for i, k in enumerate(order)}
    if not history:
        chosen.sort(key=lambda s: (rank.get(s.stance, 99), book.name(s.company).casefold(), s.program))
    else:
        chosen.sort(key=lambda s: (book.name(s.company).casefold(), s.program, s.date.start))
    out = []
    for s in chosen:
        fac = frames["facilities"][touches(frames["facilities"], book, s.company)]
        inv = frames["investments"][touches(frames["investments"], book, s.company)]
        parent = book.companies[s.company].parent if s.company in book.companies else None
        out.append(
            {
                "company": book.name(s.company),
                "company_id": s.company,
                "parent": book.name(parent) if parent else None,
                "program": s.program,
                "stance": s.stance,
                "stance_date": s.date.text,
                "current": current.get((s.company, s.program)) is s,
                "confidence": s.confidence,
                "sources": list(s.sources),
                "note": s.note,
                "facilities": [_place(r) for _, r in fac.iterrows()],
                "facility_ids": list(fac["id"]),
                "investment_ids": list(inv["id"]),
                "amount_usd": float(inv["amount_usd"].sum()) if len(inv) else 0.0,
            }
        )
    return out


def company_summaries(
    book: CompanyBook,
    frames: dict[str, pd.DataFrame],
    order: list[str],
    when: date | None = None,
    stances: tuple[str, ...] = (),
) -> list[dict]:
    """One row per company (listed, or named by a record): its latest stance and when, its amounts and plants.

    With `stances`, only companies that hold one of them now (on `when`). Rows
    come newest report first (the story as it moves), then in stance order;
    companies without a stance last, by name.
    """
    current = book.current(when)
    by_company: dict[str, list[Stance]] = {}
    for (company, _p), s in current.items():
        by_company.setdefault(company, []).append(s)
    rank = {k: i for i, k in enumerate(order)}
    out = []
    for key in book.all_keys(list(frames.values())):
        held = sorted(by_company.get(key, []), key=lambda s: (s.date.start, s.date.end))
        if stances and not any(s.stance in stances for s in held):
            continue
        latest = held[-1] if held else None
        fac = frames["facilities"][touches(frames["facilities"], book, key)]
        inv = frames["investments"][touches(frames["investments"], book, key)]
        sites = frames["sites"][touches(frames["sites"], book, key)]
        parent = book.companies[key].parent if key in book.companies else None
        out.append(
            {
                "key": key,
                "company": book.name(key),
                "part_of": book.name(parent) if parent else None,
                "stance": latest.stance if latest else None,
                "program": latest.program if latest else None,
                "reported": latest.date.text if latest else None,
                "stances": [f"{s.program}: {s.stance} ({s.date.text})" for s in reversed(held)],
                "amount_usd": float(inv["amount_usd"].sum()) if len(inv) else 0.0,
                "facilities": [_place(r) for _, r in fac.iterrows()],
                "investments": len(inv),
                "sites": len(sites),
                "_order": (
                    (0, -latest.date.start.toordinal(), rank.get(latest.stance, len(rank))) if latest else (1, 0, 0)
                ),
            }
        )
    out.sort(key=lambda r: (r["_order"], r["company"].casefold()))
    for r in out:
        del r["_order"]
    return out
