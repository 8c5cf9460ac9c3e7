"""One schema per layer, enforced on load.

Values arrive already split into Python types by the file readers (empty CSV
cells are None, `;` lists are lists); these models check them field by field.
Vocabulary checks read the vocabularies from the validation context, so the
allowed values live only in vocabularies.toml.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from geodata.dates import PartialDate, parse_date
from geodata.problems import Problem

US_STATE_CODES = frozenset(
    (
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
    )
)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def slug(v: str) -> str:
    """A record or company id: lower-case letters, digits and '-' (stable in URLs and file diffs)."""
    if not SLUG.match(v):
        raise ValueError(f"{v!r} is not a slug: use lower-case letters, digits and '-'")
    return v


def _date(value: object) -> PartialDate:
    return parse_date(value)  # type: ignore[arg-type]


Date = Annotated[PartialDate, BeforeValidator(_date)]


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"must be a plain number such as 25000000000, got {value!r}") from None
    if not math.isfinite(number):  # 'nan', 'inf' and 1e999 read as floats; none is a figure
        raise ValueError(f"must be a finite number, got {value!r}")
    return number


Number = Annotated[float | None, BeforeValidator(_number)]


def _vocab_check(name: str, value: str, info: ValidationInfo) -> str:
    message = info.context["vocab"].problem(name, value)
    if message:
        raise ValueError(message)
    return value


class Record(BaseModel):
    """Fields every record has."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, arbitrary_types_allowed=True)

    id: str
    name: str = Field(min_length=1)
    phase: str
    status: str
    status_date: Date
    first_reported: Date
    companies: list[str] = []
    description: str | None = None
    confidence: str
    sources: list[str] = Field(min_length=1)
    geometry_quality: str
    coord_method: str
    geometry_note: str | None = None
    note: str | None = None
    # Why the record has its current status (a retirement's reason); moves to the history with it.
    status_note: str | None = None

    _check_id = field_validator("id")(slug)

    @field_validator("phase", "status", "confidence", "geometry_quality", "coord_method")
    @classmethod
    def _in_vocabulary(cls, v: str, info: ValidationInfo) -> str:
        return _vocab_check(info.field_name, v, info)

    @model_validator(mode="after")
    def _consistent(self) -> Record:
        if self.first_reported > self.status_date:
            raise ValueError(f"first_reported {self.first_reported} is after status_date {self.status_date}")
        if self.geometry_quality not in ("reported", "authoritative") and not self.geometry_note:
            raise ValueError(
                "geometry_note is required: say how the location was derived "
                f"(geometry_quality is {self.geometry_quality!r})"
            )
        return self


def _states(v: list[str]) -> list[str]:
    bad = [s for s in v if s not in US_STATE_CODES]
    if bad:
        raise ValueError(f"{', '.join(map(repr, bad))} not a US state code (use two letters, e.g. AZ)")
    return v


class Site(Record):
    role: str
    agency: str
    agency_detail: str | None = None
    land_status: str
    state: list[str] = Field(min_length=1)
    reported_acres: Number = None
    reported_area_text: str | None = None
    anchor: tuple[float, float] | None = None
    area_note: str | None = None

    @field_validator("role", "agency", "land_status")
    @classmethod
    def _site_vocabulary(cls, v: str, info: ValidationInfo) -> str:
        return _vocab_check(info.field_name, v, info)

    _check_states = field_validator("state")(_states)

    @field_validator("reported_acres")
    @classmethod
    def _positive_area(cls, v: float | None) -> float | None:
        if v is not None and v <= 0:
            raise ValueError(f"must be greater than 0, got {v:g}")
        return v


class Located(Record):
    """A record with an optional point of its own."""

    state: list[str] = []
    lon: Number = None
    lat: Number = None
    sector: str

    _check_states = field_validator("state")(_states)

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str, info: ValidationInfo) -> str:
        return _vocab_check("sector", v, info)

    @model_validator(mode="after")
    def _point(self) -> Located:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat go together: give both or neither")
        if self.lon is not None and not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValueError(f"lon/lat {self.lon}, {self.lat} are not degrees (lon -180..180, lat -90..90)")
        return self


class Investment(Located):
    investor: str = Field(min_length=1)
    recipient: str | None = None
    amount_usd_low: Number = None
    amount_usd_high: Number = None
    amount_text: str | None = None
    location: str | None = None
    site_id: str | None = None
    facility_id: str | None = None

    @field_validator("amount_usd_low", "amount_usd_high")
    @classmethod
    def _not_negative(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError(f"must be 0 or more, got {v:g}")
        return v

    @model_validator(mode="after")
    def _amounts(self) -> Investment:
        lo, hi = self.amount_usd_low, self.amount_usd_high
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"amount_usd_low {lo:g} is greater than amount_usd_high {hi:g}")
        return self


class Facility(Located):
    company: str = Field(min_length=1)
    type: str
    city: str | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, v: str, info: ValidationInfo) -> str:
        return _vocab_check("facility_type", v, info)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, arbitrary_types_allowed=True)

    id: str
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: Date
    url: str | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _source_id(cls, v: str) -> str:
        if not SOURCE_ID.match(v):
            raise ValueError(f"{v!r} is not a source id: letters, digits, '.', '_' and '-' only")
        return v

    @field_validator("url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v and not re.match(r"^https?://", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v


class StatusEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, arbitrary_types_allowed=True)

    record_id: str
    date: Date
    status: str
    sources: list[str] = Field(min_length=1)
    note: str | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, v: str, info: ValidationInfo) -> str:
        return _vocab_check("status", v, info)


def problems_from(error: ValidationError, file: str, record: str) -> list[Problem]:
    """Turn a pydantic error into one Problem per failing field."""
    out = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"] if not isinstance(p, int)) or "(record)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "required field is missing"
        elif e.get("input") is None and e["type"].endswith("_type"):
            msg = "required field is empty"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (not in docs/data-dictionary.md)"
        elif e["type"] == "too_short" and e["loc"] and e["loc"][-1] in ("sources", "state", "name"):
            msg = "must not be empty"
        out.append(Problem(file, record, field, msg))
    return out
