"""Import the features of one ArcGIS REST layer (BLM SMA, or any MapServer/FeatureServer layer) in a box.

The recipe follows the ArcGIS REST API: read the layer description (`?f=json`) for its name,
geometry type, page limit and object-id field, then page through `query` with resultOffset and
resultRecordCount, ordered by the object id (without orderByFields, offset paging may return a feature
twice and skip another), asking for GeoJSON in EPSG:4326. A page that is full, or flagged with
exceededTransferLimit (at the top level or in "properties"), means there is more.

gis.blm.gov answers HTTP 200 with {"error": ...} when a query fails, and drops big answers half-way, so
every answer is checked (status, complete body, valid JSON, no "error" key) and a failed one is retried
with exponential backoff. Each page is kept in OUT.partial/ as it arrives, so a run that gives up on page
40 resumes there; OUT itself is written only when every page arrived, and the folder is then removed.

The national SMA layer returns huge dissolved polygons for any box, so the features are always clipped
to the box locally (files.clip), after repair (clean.prepare).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import geopandas as gpd
import pandas as pd
import requests
from requests.auth import AuthBase
from shapely.geometry import shape
from tqdm import tqdm

from geodata import settings
from geodata.geometry import WGS84
from geodata.importers.clean import ImportReport, prepare
from geodata.importers.files import clip, with_ids
from geodata.importers.limits import MB, Limits
from geodata.importers.output import output_format, write_layer
from geodata.problems import InvalidValue, LimitExceeded, NotPolygons, UserError

BLM_SMA_URL = "https://gis.blm.gov/arcgis/rest/services/lands/BLM_Natl_SMA_LimitedScale/MapServer/1"

USER_AGENT = "crystal-land-atlas/0.1 (geodata ArcGIS REST importer; python-requests)"
TIMEOUT_SECONDS = 60.0
BACKOFF_SECONDS = 1.0  # wait before the first retry; doubled each time (GEODATA_HTTP_BACKOFF overrides)
MAX_BACKOFF_SECONDS = 30.0
DEFAULT_MAX_RECORDS = 1000  # ArcGIS Server's own default when a layer does not state maxRecordCount
CHECKPOINT_VERSION = 1
# ArcGIS "error" codes that another try cannot fix: forbidden, not found, token invalid / required.
_FATAL_ARCGIS_CODES = {403, 404, 498, 499}
_GEOMETRY_KINDS = {
    "esriGeometryPoint": "point",
    "esriGeometryMultipoint": "multipoint",
    "esriGeometryPolyline": "line",
    "esriGeometryPolygon": "polygon",
    "esriGeometryEnvelope": "envelope",
}


# ---------------------------------------------------------------- HTTP


class _Retryable(Exception):
    """A failure another try may fix: server busy or failing, connection lost, half a body."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class _Fatal(Exception):
    """A failure another try cannot fix: HTTP 4xx, a redirect to another scheme, an answer too big."""


class _GaveUp(Exception):
    def __init__(self, last: str, tries: int):
        super().__init__(last)
        self.last = last
        self.tries = tries


class _NoAuth(AuthBase):
    """Send no credentials at all: without an auth object, requests would take them from ~/.netrc."""

    def __call__(self, r):
        return r


class _Session(requests.Session):
    def get_redirect_target(self, resp):
        target = super().get_redirect_target(resp)
        if target:
            scheme = urlsplit(urljoin(resp.url, target)).scheme.lower()
            if scheme not in ("http", "https"):
                raise _Fatal(
                    f"it redirects to a {scheme or 'schemeless'} address, and only http and https are followed"
                )
        return target


def backoff_base() -> float:
    return settings.http_backoff(BACKOFF_SECONDS)


def _one_line(text: str, limit: int = 200) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # an HTML error page: keep its words
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _arcgis_message(error) -> str:
    """The server's own words from an {"error": {...}} body."""
    if not isinstance(error, dict):
        return _one_line(str(error))
    message = str(error.get("message") or "error")
    details = [str(d) for d in error.get("details") or [] if d and str(d) != message]
    code = f" (code {error['code']})" if error.get("code") is not None else ""
    return _one_line(message + (f": {'; '.join(details)}" if details else "") + code)


def _describe(exc: requests.RequestException) -> str:
    """A short reason for a connection failure instead of urllib3's nested repr."""
    text = str(exc)
    m = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)", text)
    if m:
        got, more = int(m.group(1)), int(m.group(2))
        return f"the connection dropped after {got:,} of {got + more:,} bytes"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection dropped in the middle of the answer"
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    m = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if m:
        return m.group(1).strip()
    if "RemoteDisconnected" in text:
        return "the server closed the connection without answering"
    return _one_line(f"{type(exc).__name__}: {text}", 160)


@dataclass
class _Client:
    session: requests.Session
    timeout: float
    max_bytes: int
    backoff: float

    def _body(self, url: str, resp: requests.Response) -> bytes:
        # Not a _Fatal: it passes through the retry loop untouched, with the limit as data.
        too_big = LimitExceeded(
            "max_file_bytes",
            self.max_bytes,
            None,
            problem=f"the answer from {url} is larger than the import limit of {self.max_bytes / MB:,.0f} MB",
            fixes=("page_size", "limit"),
        )
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise too_big
        chunks, size = [], 0
        for chunk in resp.iter_content(1 << 16):
            size += len(chunk)
            if size > self.max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _once(self, url: str, params: dict) -> tuple[bytes, dict]:
        try:
            with self.session.get(url, params=params, timeout=self.timeout, stream=True) as resp:
                status, reason = resp.status_code, resp.reason or ""
                retry_after = resp.headers.get("Retry-After", "")
                raw = self._body(url, resp)
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            requests.exceptions.TooManyRedirects,
        ) as exc:
            raise _Fatal(_one_line(str(exc))) from None
        except requests.Timeout:
            raise _Retryable(f"no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise _Retryable(_describe(exc)) from None
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
        if not 200 <= status < 300:
            said = (
                _arcgis_message(doc["error"])
                if isinstance(doc, dict) and "error" in doc
                else _one_line(raw.decode("utf-8", "replace"), 160)
            )
            what = f"HTTP {status} {reason}".strip() + (f": {said}" if said else "")
            if status == 429 or status >= 500:
                wait = float(retry_after) if retry_after.isdigit() else None
                raise _Retryable(what, wait)
            raise _Fatal(what)
        if doc is None:
            start = _one_line(raw[:60].decode("utf-8", "replace"), 60)
            raise _Retryable(f"the answer was not valid JSON ({len(raw):,} bytes starting {start!r})")
        if isinstance(doc, dict) and "error" in doc:
            # gis.blm.gov reports failed queries like this, with HTTP 200
            said = f"the server answered: {_arcgis_message(doc['error'])}"
            code = doc["error"].get("code") if isinstance(doc["error"], dict) else None
            if code in _FATAL_ARCGIS_CODES:
                raise _Fatal(said)
            raise _Retryable(said)
        if not isinstance(doc, dict):
            raise _Retryable("the answer was JSON but not an object")
        return raw, doc

    def get_json(self, url: str, params: dict, retries: int, check=None) -> tuple[bytes, dict]:
        """(raw body, parsed) after up to `retries` retries; `check(doc)` may reject a body as incomplete."""
        last: _Retryable | None = None
        for attempt in range(retries + 1):
            if attempt:
                delay = min(MAX_BACKOFF_SECONDS, self.backoff * 2 ** (attempt - 1))
                if last is not None and last.retry_after is not None:
                    delay = max(delay, min(last.retry_after, MAX_BACKOFF_SECONDS))
                time.sleep(delay)
            try:
                raw, doc = self._once(url, params)
                if check is not None:
                    check(doc)
                return raw, doc
            except _Retryable as exc:
                last = exc
        raise _GaveUp(str(last), retries + 1)


def _tries(n: int) -> str:
    return f"{n} {'try' if n == 1 else 'tries'}"


# ---------------------------------------------------------------- the layer


@dataclass(frozen=True)
class _Layer:
    name: str
    geometry_type: str
    max_records: int
    oid_field: str
    paging: bool | None  # None: the layer does not say


def layer_url(url: str) -> str:
    """The layer's own URL: http(s) only, no credentials, without a trailing slash, /query or ?query."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidValue(
            "url",
            url,
            f"{url!r} is not an http:// or https:// address; give the layer URL, e.g. .../MapServer/1",
            label="layer URL",
        )
    if parts.username or parts.password:
        raise InvalidValue(
            "url",
            parts.hostname,  # never the password
            f"{parts.hostname}: give the URL without a user name or password (only public layers can be imported)",
            label="layer URL",
        )
    path = parts.path.rstrip("/")
    if path.lower().endswith("/query"):
        path = path[: -len("/query")].rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def _read_layer(client: _Client, url: str, retries: int) -> _Layer:
    where = f"{url}?f=json"
    try:
        _, doc = client.get_json(url, {"f": "json"}, retries)
    except _GaveUp as exc:
        raise UserError(
            f"could not read the layer description {where} after {_tries(exc.tries)} ({exc.last}); "
            "check the URL, or try again later"
        ) from None
    except _Fatal as exc:
        raise UserError(f"could not read the layer description {where}: {exc}; check the layer URL") from None
    if "fields" not in doc and isinstance(doc.get("layers"), list):
        layers = ", ".join(f"{lyr.get('id')} {lyr.get('name')}" for lyr in doc["layers"][:12])
        raise UserError(
            f"{url} is a service, not a layer; add the layer number to the URL, e.g. {url}/1 (layers: {layers})"
        )
    name = str(doc.get("name") or url.rsplit("/", 1)[-1])
    geometry_type = doc.get("geometryType")
    if not geometry_type:
        kind = "a table without geometry" if doc.get("type") == "Table" or "fields" in doc else "not a layer"
        raise UserError(f"{url} ({name}) is {kind}; give the URL of a layer with features, e.g. .../MapServer/1")
    capabilities = doc.get("capabilities")
    if isinstance(capabilities, str) and "query" not in capabilities.lower():
        raise UserError(f"{url} ({name}) does not allow queries (capabilities: {capabilities})")
    try:
        max_records = int(doc.get("maxRecordCount") or DEFAULT_MAX_RECORDS)
    except (TypeError, ValueError):
        max_records = DEFAULT_MAX_RECORDS
    fields = [f for f in doc.get("fields") or [] if isinstance(f, dict)]
    oid = doc.get("objectIdField") or next(
        (f.get("name") for f in fields if f.get("type") == "esriFieldTypeOID" and f.get("name")), "OBJECTID"
    )
    paging = (doc.get("advancedQueryCapabilities") or {}).get("supportsPagination")
    return _Layer(
        name=name,
        geometry_type=str(geometry_type),
        max_records=max_records if max_records > 0 else DEFAULT_MAX_RECORDS,
        oid_field=str(oid),
        paging=None if paging is None else bool(paging),
    )


def _filter(where: str, bbox) -> dict:
    params = {"where": where}
    if bbox is not None:
        params.update(
            geometry=",".join(f"{v:.10g}" for v in bbox),
            geometryType="esriGeometryEnvelope",
            inSR="4326",
            spatialRel="esriSpatialRelIntersects",
        )
    return params


def _count(client: _Client, url: str, where: str, bbox) -> int | None:
    """How many features match (for the progress bar and the feature limit); None if the server won't say."""
    try:
        _, doc = client.get_json(f"{url}/query", {**_filter(where, bbox), "returnCountOnly": "true", "f": "json"}, 0)
        n = doc.get("count")
        return n if isinstance(n, int) and n >= 0 else None
    except (_GaveUp, _Fatal, LimitExceeded):  # the pages will say it
        return None


def _check_page(doc: dict) -> None:
    if not isinstance(doc.get("features"), list):
        raise _Retryable("the answer was not a GeoJSON FeatureCollection")


def _more(doc: dict) -> bool:
    """exceededTransferLimit: in "properties" for f=geojson, at the top level in some servers' answers."""
    props = doc.get("properties")
    return bool(doc.get("exceededTransferLimit")) or (
        isinstance(props, dict) and bool(props.get("exceededTransferLimit"))
    )


# ---------------------------------------------------------------- resume


class _Checkpoint:
    """OUT.partial/: state.json (what was asked) and page-000000.geojson, ... as they arrived."""

    def __init__(self, out: Path, signature: dict):
        self.dir = out.with_name(out.name + ".partial")
        self.signature = json.loads(json.dumps(signature))  # as it reads back from state.json

    def check(self) -> None:
        """A folder left by another request is never mixed in: refuse rather than guess."""
        if not self.dir.exists() and not self.dir.is_symlink():
            return
        state = None
        if self.dir.is_dir():
            try:
                state = json.loads((self.dir / "state.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = None
        if not isinstance(state, dict) or not isinstance(state.get("signature"), dict):
            raise UserError(
                f"{self.dir} exists but is not a checkpoint of an ArcGIS import; delete it, or choose another OUT"
            )
        old = state["signature"]
        differ = [k for k in sorted(set(old) | set(self.signature)) if old.get(k) != self.signature.get(k)]
        if differ:
            raise UserError(
                f"{self.dir} holds pages of a different request (its {', '.join(differ)} "
                f"differ{'s' if len(differ) == 1 else ''}); delete that folder to start over, "
                "or choose another OUT"
            )

    def page_path(self, k: int) -> Path:
        return self.dir / f"page-{k:06d}.geojson"

    def load(self, k: int) -> dict | None:
        path = self.page_path(k)
        if not path.is_file():
            return None
        try:
            doc = json.loads(path.read_bytes())
            _check_page(doc)
        except (OSError, ValueError, _Retryable):
            return None  # unreadable: fetch it again
        return doc

    def _write(self, path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # a page file is complete or absent, even if the run is killed

    def save(self, k: int, raw: bytes) -> None:
        try:
            self.dir.mkdir(exist_ok=True)
            state = self.dir / "state.json"
            if not state.exists():
                doc = {
                    "importer": "geodata.importers.arcgis",
                    "version": CHECKPOINT_VERSION,
                    "signature": self.signature,
                }
                self._write(state, json.dumps(doc, indent=1).encode())
            self._write(self.page_path(k), raw)
        except OSError as exc:
            raise UserError(
                f"cannot keep fetched pages in {self.dir}: {exc.strerror or exc}; free some space or choose another OUT"
            ) from None

    def pages(self) -> int:
        return len(list(self.dir.glob("page-*.geojson"))) if self.dir.is_dir() else 0

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- paging


@dataclass
class _Fetched:
    features: list
    pages: int = 0
    resumed: int = 0
    duplicates: int = 0


def _fetch_all(
    client: _Client,
    url: str,
    layer: _Layer,
    params: dict,
    n: int,
    checkpoint: _Checkpoint,
    retries: int,
    limits: Limits,
    bar,
    out: Path,
) -> _Fetched:
    got = _Fetched(features=[])
    seen: set = set()
    offset = 0
    paging = layer.paging is not False
    for k in count():
        doc = checkpoint.load(k)
        if doc is None:
            page_params = {**params, "resultOffset": str(offset), "resultRecordCount": str(n)} if paging else params
            span = f"features {offset}–{offset + n - 1} from {url}/query"
            try:
                raw, doc = client.get_json(f"{url}/query", {**page_params, "f": "geojson"}, retries, check=_check_page)
            except _GaveUp as exc:
                kept = checkpoint.pages()
                keep = f" ({kept} page(s) kept in {checkpoint.dir})" if kept else ""
                raise UserError(
                    f"could not fetch {span} after {_tries(exc.tries)} ({exc.last}); "
                    f"run the same command again to resume from there{keep}"
                ) from None
            except _Fatal as exc:
                raise UserError(f"could not fetch {span}: {exc}") from None
            checkpoint.save(k, raw)
            got.pages += 1
        else:
            got.resumed += 1
        page = [f for f in doc["features"] if isinstance(f, dict)]
        fresh = []
        for f in page:
            fid = f.get("id", (f.get("properties") or {}).get(layer.oid_field))
            if fid is not None and fid in seen:
                got.duplicates += 1
                continue
            if fid is not None:
                seen.add(fid)
            fresh.append(f)
        if page and not fresh:  # a server that ignores resultOffset would loop here for ever
            checkpoint.remove()
            raise LimitExceeded(
                "server_page",
                n,
                None,
                problem=f"{url} sent features {offset}–{offset + len(page) - 1} again: it does not page "
                f"through this layer, so one page of {n:,} features must cover the area",
                fixes=("bbox",),
            )
        got.features += fresh
        bar.update(len(page))
        if len(got.features) > limits.max_features:
            checkpoint.remove()
            raise LimitExceeded(
                "max_features",
                limits.max_features,
                None,
                problem=f"{layer.name} holds more than {limits.max_features:,} features here, the import "
                f"limit, so {out} was not written",
                fixes=("bbox", "where", "limit"),
            )
        offset += len(page)
        more = _more(doc)
        if not paging:
            if more:
                checkpoint.remove()
                raise LimitExceeded(
                    "server_page",
                    len(page),
                    None,
                    problem=f"{url} cannot page through its features and holds more than {len(page):,} "
                    f"here, so {out} was not written",
                    fixes=("bbox", "where"),
                )
            break
        if not page or not (len(page) >= n or more):
            break
    return got


def _frame(features: list, oid: str) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for f in features:
        props = dict(f.get("properties") or {})
        if oid not in props and f.get("id") is not None:
            props[oid] = f["id"]
        rows.append(props)
        try:
            geoms.append(shape(f["geometry"]) if f.get("geometry") else None)
        except (ValueError, TypeError, KeyError, AttributeError):
            geoms.append(None)  # unreadable geometry: prepare() drops and counts it
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "arcgis"


def _check_bbox(bbox):
    if bbox is None:
        return None
    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise InvalidValue(
            "bbox", bbox, f"{bbox!r}: give four numbers W,S,E,N in degrees", label="area of interest"
        ) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InvalidValue(
            "bbox",
            bbox,
            f"{bbox!r}: need W < E within -180..180 and S < N within -90..90 (W,S,E,N order)",
            label="area of interest",
        )
    return w, s, e, n


# ---------------------------------------------------------------- the import


def import_arcgis(
    url: str,
    out: str | Path,
    *,
    bbox=None,
    where: str = "1=1",
    limits: Limits | None = None,
    polygons_only: bool = True,
    page_size: int | None = None,
    max_retries: int = 5,
    progress: bool = True,
    timeout: float = TIMEOUT_SECONDS,
) -> ImportReport:
    """Fetch the layer's features in `bbox` (W,S,E,N, degrees) matching `where`; write OUT; say what happened."""
    out = Path(out)
    output_format(out)  # a bad output name fails before any request
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {out}: folder {folder} does not exist")
    url = layer_url(url)
    bbox = _check_bbox(bbox)
    where = (where or "").strip() or "1=1"
    limits = limits or Limits()
    if page_size is not None and page_size < 1:
        raise InvalidValue("page_size", page_size, f"must be at least 1, not {page_size}")
    if max_retries < 0:
        raise InvalidValue("retries", max_retries, f"must be 0 or more, not {max_retries}")

    session = _Session()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json, application/geo+json"})
    session.auth = _NoAuth()
    with session:
        client = _Client(session, timeout, limits.max_file_bytes, backoff_base())
        layer = _read_layer(client, url, max_retries)
        if polygons_only and layer.geometry_type != "esriGeometryPolygon":
            kind = _GEOMETRY_KINDS.get(layer.geometry_type, layer.geometry_type)
            raise NotPolygons(f"{layer.name} at {url}", kind)
        n = min(page_size or layer.max_records, layer.max_records)
        report = ImportReport(source=f"{layer.name} at {url}")
        if where != "1=1":
            report.notes.append(f"asked the server for features where {where}")
        if page_size and page_size > layer.max_records:
            report.notes.append(f"page size lowered to the layer's maximum of {n:,} features")
        # Everything that changes which feature lands on which page; a resume needs all of it unchanged.
        checkpoint = _Checkpoint(
            out,
            {
                "url": url,
                "where": where,
                "bbox": list(bbox) if bbox else None,
                "page_size": n,
                "out_fields": "*",
                "order_by": layer.oid_field,
            },
        )
        checkpoint.check()
        params = {
            **_filter(where, bbox),
            "outFields": "*",
            "returnGeometry": "true",
            "outSR": "4326",
            "orderByFields": layer.oid_field,
        }
        total = _count(client, url, where, bbox)
        if total is not None and total > limits.max_features:
            raise LimitExceeded(
                "max_features",
                limits.max_features,
                total,
                problem=f"{layer.name} holds {total:,} features here, more than the import limit of "
                f"{limits.max_features:,}, so {out} was not written",
                fixes=("bbox", "where", "limit"),
            )
        with tqdm(total=total, unit="features", file=sys.stderr, disable=not progress, desc=layer.name[:40]) as bar:
            got = _fetch_all(client, url, layer, params, n, checkpoint, max_retries, limits, bar, out)

    if got.resumed:
        report.notes.insert(0, f"resumed: {got.resumed} page(s) already fetched in {checkpoint.dir}")
    report.notes.append(f"fetched {got.pages} page(s) of up to {n:,} features")
    if not got.features:
        checkpoint.remove()  # nothing to resume: a rerun with another box must not be refused
        raise UserError(f"no features of {layer.name} match where {where} in the box; {out} not written")
    gdf = _frame(got.features, layer.oid_field)
    report.read = len(got.features) + got.duplicates
    if got.duplicates:
        report.dropped["sent twice by the server"] += got.duplicates
    gdf = prepare(gdf, layer.name, polygons_only, report)
    gdf = clip(gdf, bbox, report)
    if gdf.empty:
        checkpoint.remove()
        raise UserError(f"no features of {layer.name} lie within the box once clipped; {out} not written")
    report.kept = len(gdf)
    gdf = with_ids(gdf, _slug(layer.name), url)
    fmt = write_layer(gdf, out)
    checkpoint.remove()
    report.notes.append(f"wrote {len(gdf):,} feature(s) to {out} ({fmt}, EPSG:4326)")
    return report
