"""Change the catalog: add a source or a record, set a status, edit fields, retire a record.

Every change is one transaction: take the catalog's lock, re-read the files, apply
the change, validate the whole catalog in a temporary copy, and only then replace
the changed files (each atomically). A change that would leave the catalog invalid
writes nothing; a second writer waits for the lock and then sees the first one's
change, so neither is lost. A status change moves the record's previous status into
status_history.csv, so the history is never kept by hand.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from geodata import settings
from geodata.catalog.load import FILES, LAYERS, LIST_COLUMNS, check_catalog
from geodata.catalog.schema import Facility, Investment, Site
from geodata.catalog.write import RawCatalog, Table, file_texts, read_raw
from geodata.dates import parse_date
from geodata.problems import EditRejected, InvalidValue, Problem, SourceNeeded, UnknownId

LOCK_NAME = ".catalog.lock"
RETIRED = "retired"
MODELS = {"sites": Site, "investments": Investment, "facilities": Facility}
SOURCE_FIELDS = ("id", "publisher", "title", "date", "url", "note")
# Fields a status change or a retirement owns; `edit` refuses them so the history stays complete.
STATUS_FIELDS = ("status", "status_date", "status_note")
NUMBER_FIELDS = ("reported_acres",)


# ---------------------------------------------------------------- locking and writing


@contextlib.contextmanager
def catalog_lock(directory: Path) -> Iterator[None]:
    """Hold the catalog's write lock (a lock file in the catalog folder) until the block ends."""
    path = Path(directory) / LOCK_NAME
    with open(path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: lock the file's first byte instead
            import msvcrt

            msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; the replaced file keeps the catalog file's own permissions.
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def transaction(directory: str | Path | None, change: Callable[[RawCatalog], str]) -> str:
    """Apply `change` to a fresh read of the catalog under its lock; validate; write. Returns change's result."""
    d = Path(directory) if directory is not None else settings.catalog_dir()
    with catalog_lock(d):
        raw = read_raw(d)
        result = change(raw)
        texts = file_texts(raw, sorted(raw.changed))
        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / "catalog"
            shutil.copytree(d, trial, ignore=shutil.ignore_patterns(LOCK_NAME, ".*.tmp"))
            for name, text in texts.items():
                (trial / name).write_text(text, encoding="utf-8", newline="")
            _catalog, problems = check_catalog(trial)
        if problems:
            # A record that fails validation also orphans its history rows; report the cause, not the echo.
            causes = [p for p in problems if not p.message.startswith("unknown record")]
            raise EditRejected(causes or problems)
        # Sources first, history last: a reader between two replacements never sees a record citing a missing source.
        order = [FILES[k] for k in ("sources", "sites", "investments", "facilities", "history")]
        for name in sorted(texts, key=order.index):
            _replace(d / name, texts[name])
    return result


# ---------------------------------------------------------------- finding and converting


class _Record:
    """One record in a RawCatalog: its layer and its row (CSV) or properties (site)."""

    def __init__(self, raw: RawCatalog, layer: str, values: dict, feature: dict | None = None):
        self.raw, self.layer, self.values, self.feature = raw, layer, values, feature

    @property
    def is_site(self) -> bool:
        return self.layer == "sites"

    def get(self, name: str):
        return self.values.get(name)

    def get_list(self, name: str) -> list[str]:
        v = self.values.get(name)
        if isinstance(v, list):
            return list(v)
        return [p.strip() for p in (v or "").split(";") if p.strip()]

    def set(self, name: str, value) -> None:
        """Set a field from a Python value (list, number, text or None) in the file's own form."""
        if not self.is_site:
            table = self.raw.tables[self.layer]
            if name not in table.header and value in (None, "", []):
                return  # an empty value needs no new column
            table.add_column(name)
            if isinstance(value, list):
                value = ";".join(value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            self.values[name] = "" if value is None else str(value)
        else:
            self.values[name] = value
        self.raw.changed.add(self.layer)


def _find(raw: RawCatalog, rid: str) -> _Record:
    for feat in raw.sites:
        if (feat.get("properties") or {}).get("id") == rid:
            return _Record(raw, "sites", feat["properties"], feat)
    for layer in ("investments", "facilities"):
        for row in raw.tables[layer].rows:
            if row.get("id") == rid:
                return _Record(raw, layer, row)
    ids = [f["properties"].get("id") for f in raw.sites] + [
        r["id"] for layer in ("investments", "facilities") for r in raw.tables[layer].rows
    ]
    import difflib

    raise UnknownId(rid, "record", difflib.get_close_matches(rid, ids, n=3))


def _need_sources(action: str, sources: list[str] | None, raw: RawCatalog) -> list[str]:
    sources = [s.strip() for s in sources or [] if s and s.strip()]
    if not sources:
        raise SourceNeeded(action)
    known = {r["id"] for r in raw.tables["sources"].rows}
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise EditRejected(
            [Problem(FILES["sources"], "-", "source", f"unknown source {unknown[0]!r}; add it to the sources first")]
        )
    return sources


def _date_text(field: str, value: str | date | None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue(field, value, "is required: use YYYY-MM-DD, YYYY-MM or YYYY")
    try:
        return parse_date(value).text
    except ValueError as exc:
        raise InvalidValue(field, value, str(exc)) from None


def _site_value(name: str, text: str):
    """A site property from its command-line text: lists split on ';', numbers as numbers, '' as null."""
    text = text.strip()
    if text == "":
        return [] if name in LIST_COLUMNS else None
    if name in LIST_COLUMNS:
        return [p.strip() for p in text.split(";") if p.strip()]
    if name in NUMBER_FIELDS:
        try:
            n = float(text)
        except ValueError:
            raise EditRejected([Problem(FILES["sites"], "-", name, f"must be a plain number, got {text!r}")]) from None
        return int(n) if n.is_integer() else n
    if name == "anchor":
        try:
            lon, lat = (float(p) for p in text.split(","))
        except ValueError:
            problem = Problem(FILES["sites"], "-", name, f"must be LON,LAT in degrees, got {text!r}")
            raise EditRejected([problem]) from None
        return [lon, lat]
    return text


def _fields_of(layer: str) -> list[str]:
    names = list(MODELS[layer].model_fields)
    if layer != "sites":
        names += ["lon", "lat"] if "lon" not in names else []
    return names


def _check_names(layer: str, names) -> None:
    allowed = _fields_of(layer)
    for n in names:
        if n not in allowed:
            raise EditRejected(
                [Problem(FILES[layer], "-", n, f"is not a field of {layer}; fields: {', '.join(allowed)}")]
            )


def _add_sources(rec: _Record, sources: list[str]) -> None:
    have = rec.get_list("sources")
    rec.set("sources", have + [s for s in sources if s not in have])


def _push_history(raw: RawCatalog, rec: _Record) -> None:
    """Move the record's current status into status_history.csv (it becomes an earlier status)."""
    when = parse_date(rec.get("status_date"))
    by_date = {r["id"]: parse_date(r["date"]) for r in raw.tables["sources"].rows}
    cited = [s for s in rec.get_list("sources") if s in by_date]
    # A report comes on or after what it reports: the sources dated on the status date, else the first
    # one after it, else the newest before it, else all the record's sources.
    same = [s for s in cited if by_date[s].text == when.text]
    after = sorted((s for s in cited if by_date[s].start > when.end), key=lambda s: by_date[s])
    before = sorted((s for s in cited if by_date[s].start <= when.end), key=lambda s: by_date[s])
    chosen = same or after[:1] or before[-1:] or rec.get_list("sources")
    history = raw.tables["history"]
    history.rows.append(
        {
            "record_id": rec.get("id"),
            "date": when.text,
            "status": rec.get("status"),
            "sources": ";".join(chosen),
            "note": rec.get("status_note") or "",
        }
    )
    raw.changed.add("history")


# ---------------------------------------------------------------- the changes


def add_source(
    directory,
    source_id: str,
    *,
    publisher: str,
    title: str,
    date: str,
    url: str | None = None,
    note: str | None = None,
) -> str:
    date_text = _date_text("date", date)

    def change(raw: RawCatalog) -> str:
        table = raw.tables["sources"]
        if any(r["id"] == source_id for r in table.rows):
            raise EditRejected([Problem(FILES["sources"], source_id, "id", f"source {source_id!r} already exists")])
        values = {"id": source_id, "publisher": publisher, "title": title, "date": date_text}
        values |= {"url": url or "", "note": note or ""}
        table.rows.append({k: values.get(k, "") for k in table.header})
        raw.changed.add("sources")
        return source_id

    return transaction(directory, change)


def add_record(
    directory, layer: str, fields: dict[str, str], sources: list[str] | None, geometry: dict | None = None
) -> str:
    """Add a site, investment or facility from field texts (lists separated by ';'). Returns its id."""
    if layer not in LAYERS:
        raise InvalidValue("layer", layer, f"is not a layer; layers: {', '.join(LAYERS)}")
    if geometry is not None and layer != "sites":
        raise InvalidValue("geometry", "", "only a site has an outline; give an investment or facility lon= and lat=")
    _check_names(layer, fields)

    def change(raw: RawCatalog) -> str:
        srcs = _need_sources("adding a record", sources, raw)
        rid = (fields.get("id") or "").strip()
        if not rid:
            raise EditRejected([Problem(FILES[layer], "-", "id", "is required: a slug such as fort-example")])
        with contextlib.suppress(UnknownId):
            found = _find(raw, rid)
            problem = Problem(FILES[found.layer], rid, "id", f"{rid!r} is already a record in {found.layer}")
            raise EditRejected([problem])
        if layer == "sites":
            template = list(raw.sites[0]["properties"]) if raw.sites else _fields_of("sites")
            order = template + [n for n in _fields_of("sites") if n not in template]
            given = {n: _site_value(n, fields[n]) for n in fields}
            props = {n: given.get(n, [] if n in LIST_COLUMNS else None) for n in template}
            props |= {n: v for n, v in given.items() if n not in props}
            props = {n: props[n] for n in order if n in props}
            raw.sites.append({"type": "Feature", "properties": props, "geometry": geometry})
            rec = _Record(raw, "sites", props)
        else:
            table: Table = raw.tables[layer]
            for n in fields:
                table.add_column(n)
            row = {k: fields.get(k, "").strip() for k in table.header}
            table.rows.append(row)
            rec = _Record(raw, layer, row)
        _add_sources(rec, srcs)
        raw.changed.add(layer)
        return rid

    return transaction(directory, change)


def set_status(directory, rid: str, status: str, when: str, sources: list[str] | None, note: str | None = None) -> str:
    """Record that `rid` had `status` on `when`, reported by `sources`.

    A date after the current status date makes it the new status (the previous one moves to the history);
    an earlier date adds an earlier status to the history; the same status on the same day given more
    precisely (2026-06 -> 2026-06-01) refines the current one. Returns which of "new", "earlier", "refined".
    """
    date_text = _date_text("date", when)
    new = parse_date(date_text)

    def change(raw: RawCatalog) -> str:
        rec = _find(raw, rid)
        srcs = _need_sources("a status change", sources, raw)
        current = parse_date(rec.get("status_date"))
        if status == rec.get("status") and not (new.start == current.start and new.text != current.text):
            # The history holds earlier, different statuses; a new report of the same status is an edit.
            raise InvalidValue(
                "status",
                status,
                f"is already the record's status (since {current.text}); cite a new report of it with an edit",
            )
        if new > current:
            _push_history(raw, rec)
            outcome = "new"
        elif new.start == current.start and status == rec.get("status") and new.text != current.text:
            outcome = "refined"  # the same status, dated more precisely: replace in place
        elif new < current:
            history = raw.tables["history"]
            history.rows.append(
                {"record_id": rid, "date": date_text, "status": status, "sources": ";".join(srcs), "note": note or ""}
            )
            # Oldest first per record, as the file is kept; other records' rows keep their places.
            mine = sorted((r for r in history.rows if r["record_id"] == rid), key=lambda r: parse_date(r["date"]).start)
            slots = iter(mine)
            history.rows[:] = [next(slots) if r["record_id"] == rid else r for r in history.rows]
            raw.changed.add("history")
            _add_sources(rec, srcs)
            return "earlier"
        else:
            raise InvalidValue(
                "date",
                date_text,
                f"is the record's current status date ({rec.get('status')} on {current.text}); "
                "give a later date for a new status or an earlier one for an earlier status",
            )
        rec.set("status", status)
        rec.set("status_date", date_text)
        rec.set("status_note", (note or "").strip() or None)
        _add_sources(rec, srcs)
        return outcome

    return transaction(directory, change)


def edit_record(
    directory, rid: str, changes: dict[str, str], sources: list[str] | None, geometry: dict | None = None
) -> str:
    """Set fields of a record (texts as on the command line) and cite the source of the change."""
    if not changes and geometry is None:
        raise InvalidValue("changes", "", "nothing to change: give one or more FIELD=VALUE")

    def change(raw: RawCatalog) -> str:
        rec = _find(raw, rid)
        srcs = _need_sources("an edit", sources, raw)
        _check_names(rec.layer, changes)
        for n in changes:
            if n == "id":
                raise EditRejected([Problem(FILES[rec.layer], rid, "id", "an id cannot change; retire the record")])
            if n in STATUS_FIELDS:
                raise EditRejected(
                    [Problem(FILES[rec.layer], rid, n, "changes only with a status change (set-status or retire)")]
                )
        for n, text in changes.items():
            rec.set(n, _site_value(n, text) if rec.is_site else text.strip())
        if geometry is not None:
            if not rec.is_site:
                raise InvalidValue("geometry", "", "only a site has an outline; set lon= and lat= instead")
            rec.feature["geometry"] = geometry
        _add_sources(rec, srcs)
        raw.changed.add(rec.layer)
        return rid

    return transaction(directory, change)


def retire_record(directory, rid: str, reason: str, sources: list[str] | None, when: str | None = None) -> str:
    """Mark a record retired (kept, with its history and the reason), as of `when` (default today)."""
    if not (reason or "").strip():
        raise InvalidValue("reason", reason, "is required: say why the record is retired")
    set_status(directory, rid, RETIRED, when or date.today().isoformat(), sources, reason)
    return rid
