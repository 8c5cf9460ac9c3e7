"""`import arcgis` / `import blm-sma` against a real HTTP server on 127.0.0.1 replaying ArcGIS REST answers.

The answers (tests/fixtures/arcgis/, see its README) follow the documented format of the BLM SMA
LimitedScale layer 1: 17 polygons around the Arizona study box, cut into GeoJSON pages of 4. The server
records every request and can be told to fail some of them the ways gis.blm.gov does: an {"error": ...}
body with HTTP 200, HTTP 500, a connection dropped half-way through a page, or failing for good.
Nothing here mocks the HTTP client.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
from shapely.geometry import box, shape

from geodata.cli.wording import cli_message
from geodata.importers import arcgis
from geodata.importers.arcgis import import_arcgis
from geodata.importers.limits import Limits
from geodata.problems import LimitExceeded, UserError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arcgis"
SERVICE_PATH = "/arcgis/rest/services/lands/BLM_Natl_SMA_LimitedScale/MapServer"
LAYER_PATH = SERVICE_PATH + "/1"
BBOX = (-112.80, 33.65, -111.95, 34.35)
BBOX_TEXT = "-112.8,33.65,-111.95,34.35"
PAGE = 4  # the fixture pages were cut for this page size
OFFSETS = sorted(int(p.stem.rsplit("-", 1)[1]) for p in FIXTURES.glob("query-offset-*.geojson"))
FEATURES = [f for o in OFFSETS for f in json.loads((FIXTURES / f"query-offset-{o}.geojson").read_text())["features"]]
IDS = {f["id"] for f in FEATURES}


@dataclass
class Fault:
    kind: str  # arcgis-error | http-500 | drop | redirect
    target: str  # layer | count | page
    offset: int | None = None  # pages only: this offset, or from it on when `onward`
    onward: bool = False
    times: int | None = 1  # None: for good

    def matches(self, target: str, offset: int | None) -> bool:
        if self.target != target or self.times == 0:
            return False
        if self.offset is None:
            return True
        return offset is not None and (offset >= self.offset if self.onward else offset == self.offset)


class Replay:
    """A ThreadingHTTPServer that answers like the SMA layer from the fixture files."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.headers: list[dict] = []
        self.faults: list[Fault] = []
        self.layer_doc = json.loads((FIXTURES / "layer.json").read_text())
        self.lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                replay.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def layer_url(self) -> str:
        return self.base + LAYER_PATH

    def fail(
        self, kind: str, target: str = "page", offset: int | None = None, *, onward: bool = False, times: int | None = 1
    ) -> None:
        self.faults.append(Fault(kind, target, offset, onward, times))

    def pages(self) -> list[dict]:
        """The query string of every page request, in order."""
        return [q for p, q in self.requests if p.endswith("/query") and q.get("returnCountOnly") != "true"]

    def offsets(self) -> list[int]:
        return [int(q["resultOffset"]) for q in self.pages()]

    # -- answering

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.lock:
            self.requests.append((parts.path, query))
            self.headers.append(dict(h.headers))
        target, offset = None, None
        if parts.path == LAYER_PATH:
            target = "layer"
        elif parts.path == LAYER_PATH + "/query":
            target = "count" if query.get("returnCountOnly") == "true" else "page"
            offset = int(query.get("resultOffset", 0))
        with self.lock:
            fault = next((f for f in self.faults if f.matches(target, offset)), None)
            if fault is not None and fault.times is not None:
                fault.times -= 1
        if fault is not None:
            return self.inject(h, fault.kind)
        if target == "layer":
            return self.send(h, 200, json.dumps(self.layer_doc).encode())
        if parts.path == SERVICE_PATH:
            return self.send(h, 200, (FIXTURES / "service.json").read_bytes())
        if target == "count":
            return self.send(h, 200, (FIXTURES / "count.json").read_bytes())
        if target == "page" and query.get("f") == "geojson":
            path = FIXTURES / f"query-offset-{offset}.geojson"
            if path.exists():
                return self.send(h, 200, path.read_bytes(), "application/geo+json")
            if offset >= len(FEATURES):
                return self.send(h, 200, json.dumps({"type": "FeatureCollection", "features": []}).encode())
            return self.send(
                h,
                200,
                json.dumps(
                    {
                        "error": {
                            "code": 400,
                            "message": "Unable to complete operation.",
                            "details": [f"no recorded page at {offset}"],
                        }
                    }
                ).encode(),
            )
        self.send(h, 404, b"<html><body><h1>Not Found</h1></body></html>", "text/html")

    def inject(self, h: BaseHTTPRequestHandler, kind: str) -> None:
        if kind == "arcgis-error":  # what gis.blm.gov does: HTTP 200 and an error object
            return self.send(
                h,
                200,
                (
                    FIXTURES / ("error-layer.json" if h.path.startswith(LAYER_PATH + "?") else "error-query.json")
                ).read_bytes(),
            )
        if kind == "http-500":
            return self.send(h, 500, b"<html><body>Internal Server Error</body></html>", "text/html")
        if kind == "redirect":
            h.send_response(302)
            h.send_header("Location", "file:///etc/passwd")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return None
        if kind == "drop":  # full Content-Length announced, half the page sent, then the socket closed
            body = (FIXTURES / "query-offset-0.geojson").read_bytes()
            h.send_response(200)
            h.send_header("Content-Type", "application/geo+json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return None
        raise ValueError(kind)

    @staticmethod
    def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str = "application/json") -> None:
        h.send_response(status)
        h.send_header("Content-Type", f"{ctype}; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


@pytest.fixture(autouse=True)
def fast_and_local(monkeypatch):
    monkeypatch.setenv("GEODATA_HTTP_BACKOFF", "0.01")  # retries wait 10, 20, 40 ms
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server():
    s = Replay()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def run(server, out, **kw):
    kw = {"bbox": BBOX, "page_size": PAGE, "progress": False, "max_retries": 3, **kw}
    return import_arcgis(server.layer_url, out, **kw)


def partial(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def assert_complete(out: Path, report) -> gpd.GeoDataFrame:
    back = gpd.read_parquet(out) if out.suffix == ".parquet" else gpd.read_file(out)
    assert sorted(back["OBJECTID"]) == sorted(IDS)  # every feature exactly once
    assert back.crs.to_epsg() == 4326
    assert not partial(out).exists()
    assert f"wrote {len(IDS)} feature(s) to {out}" in report.lines()[-1]
    return back


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg"])
def test_full_import_over_several_pages(server, tmp_path, suffix):
    out = tmp_path / f"sma{suffix}"
    report = run(server, out)
    back = assert_complete(out, report)

    assert server.offsets() == list(range(0, len(IDS), PAGE)) == [0, 4, 8, 12, 16]
    for q in server.pages():
        assert q["orderByFields"] == "OBJECTID" and q["outSR"] == "4326" and q["inSR"] == "4326"
        assert q["f"] == "geojson" and q["resultRecordCount"] == "4" and q["outFields"] == "*"
        assert q["geometry"] == BBOX_TEXT and q["geometryType"] == "esriGeometryEnvelope"
        assert q["spatialRel"] == "esriSpatialRelIntersects" and q["where"] == "1=1"
        assert q["returnGeometry"] == "true"
    paths = [p for p, _ in server.requests]
    assert server.requests[0] == (LAYER_PATH, {"f": "json"})
    assert paths[1] == LAYER_PATH + "/query" and server.requests[1][1]["returnCountOnly"] == "true"
    assert all("crystal-land-atlas" in h["User-Agent"] and "Authorization" not in h for h in server.headers)

    # clipped locally: the dissolved BLM polygon and the forest reach past the box in the answer
    minx, miny, maxx, maxy = back.total_bounds
    assert minx >= BBOX[0] - 1e-9 and miny >= BBOX[1] - 1e-9 and maxx <= BBOX[2] + 1e-9 and maxy <= BBOX[3] + 1e-9
    beyond = [f["id"] for f in FEATURES if not box(*BBOX).contains(shape(f["geometry"]))]
    assert len(beyond) >= 2
    assert back.geometry.is_valid.all()
    lines = report.lines()
    assert lines[0] == f"read 17 feature(s) from Surface Management Agency at {server.layer_url} (EPSG:4326)"
    assert "repaired 1 invalid geometry (1 Self-intersection)" in lines  # the Table Mesa bowtie
    assert "fetched 5 page(s) of up to 4 features" in lines
    assert any(line.startswith("kept 17 within W,S,E,N") for line in lines)
    assert back["feature_id"].iloc[0] == "surface-management-agency-1"
    assert set(back["source_file"]) == {server.layer_url}
    assert set(back["ADMIN_ST"]) == {"AZ"} and {"BLM", "USFS", "ST", "PVT"} <= set(back["ADMIN_AGENCY_CODE"])


def test_short_pages_with_the_flag_go_on(server, tmp_path):
    """Pages of 4 for a request of 5, flagged in properties or at the top level: keep going, offset by what came."""
    out = tmp_path / "sma.parquet"
    report = run(server, out, page_size=5)
    assert_complete(out, report)
    assert server.offsets() == [0, 4, 8, 12, 16]
    assert {q["resultRecordCount"] for q in server.pages()} == {"5"}
    top_level = json.loads((FIXTURES / "query-offset-8.geojson").read_text())
    assert top_level.get("exceededTransferLimit") is True and "properties" not in top_level


@pytest.mark.parametrize("kind", ["arcgis-error", "http-500", "drop"])
def test_a_failing_page_is_retried(server, tmp_path, kind):
    server.fail(kind, "page", offset=8)
    out = tmp_path / "sma.parquet"
    report = run(server, out)
    assert_complete(out, report)
    assert server.offsets() == [0, 4, 8, 8, 12, 16]


def test_a_failing_count_only_loses_the_total(server, tmp_path):
    server.fail("http-500", "count", times=None)
    out = tmp_path / "sma.parquet"
    assert_complete(out, run(server, out))


def test_progress_bar_on_stderr(server, tmp_path, capsys):
    run(server, tmp_path / "sma.parquet", progress=True)
    err = capsys.readouterr().err
    assert "17/17" in err and "features" in err
    run(server, tmp_path / "again.parquet", progress=False)
    assert capsys.readouterr().err == ""


def test_a_page_that_keeps_failing_then_resume(server, tmp_path):
    server.fail("http-500", "page", offset=8, onward=True, times=None)
    out = tmp_path / "sma.parquet"
    with pytest.raises(UserError) as err:
        run(server, out, max_retries=2)
    msg = str(err.value)
    assert msg.startswith(f"could not fetch features 8–11 from {server.layer_url}/query after 3 tries (HTTP 500")
    assert "run the same command again to resume from there" in msg and "\n" not in msg
    assert server.offsets() == [0, 4, 8, 8, 8]
    assert not out.exists()
    kept = sorted(p.name for p in partial(out).iterdir())
    assert kept == ["page-000000.geojson", "page-000001.geojson", "state.json"]

    server.faults.clear()
    server.requests.clear()
    report = run(server, out, max_retries=2)
    assert server.offsets() == [8, 12, 16]  # the first two pages were not fetched again
    assert_complete(out, report)
    assert f"resumed: 2 page(s) already fetched in {partial(out)}" in report.lines()
    assert "fetched 3 page(s) of up to 4 features" in report.lines()


def test_another_request_against_a_checkpoint_is_refused(server, tmp_path):
    server.fail("arcgis-error", "page", offset=4, times=None)
    out = tmp_path / "sma.parquet"
    with pytest.raises(UserError, match="run the same command again"):
        run(server, out, max_retries=0)
    server.faults.clear()
    before = sorted(p.name for p in partial(out).iterdir())
    with pytest.raises(UserError) as err:
        run(server, out, where="ADMIN_AGENCY_CODE IN ('BLM')", bbox=(-112.5, 33.7, -112.0, 34.2))
    assert str(err.value) == (
        f"{partial(out)} holds pages of a different request (its bbox, where differ); "
        "delete that folder to start over, or choose another OUT"
    )
    assert not out.exists() and sorted(p.name for p in partial(out).iterdir()) == before
    assert server.offsets() == [0, 4]  # refused before any page was asked for


def test_error_body_on_the_layer_description(server, tmp_path):
    server.fail("arcgis-error", "layer", times=None)
    out = tmp_path / "sma.parquet"
    with pytest.raises(UserError) as err:
        run(server, out, max_retries=2)
    assert str(err.value) == (
        f"could not read the layer description {server.layer_url}?f=json after 3 tries (the server answered: "
        "Service lands/BLM_Natl_SMA_LimitedScale/MapServer not found or not started (code 500)); "
        "check the URL, or try again later"
    )
    assert len(server.requests) == 3
    assert not out.exists() and not partial(out).exists()


def test_404_fails_at_once(server, tmp_path):
    out = tmp_path / "sma.parquet"
    with pytest.raises(UserError) as err:
        import_arcgis(server.base + SERVICE_PATH + "/7/query/", out, bbox=BBOX, max_retries=5, progress=False)
    assert str(err.value) == (
        f"could not read the layer description {server.base}{SERVICE_PATH}/7?f=json: "
        "HTTP 404 Not Found: Not Found; check the layer URL"
    )
    assert server.requests == [(SERVICE_PATH + "/7", {"f": "json"})]  # no retries
    assert not out.exists() and not partial(out).exists()


def test_a_service_url_names_its_layers(server, tmp_path):
    with pytest.raises(UserError, match=r"is a service, not a layer; .*\(layers: 0 SMA Labels, 1 Surface Management"):
        import_arcgis(server.base + SERVICE_PATH, tmp_path / "x.parquet", bbox=BBOX, progress=False)


def test_layer_description_defaults(server, tmp_path):
    """No objectIdField: the esriFieldTypeOID field; no maxRecordCount: 1000, and never more than the maximum."""
    del server.layer_doc["objectIdField"], server.layer_doc["maxRecordCount"]
    server.layer_doc["fields"][0]["name"] = "FID"
    out = tmp_path / "sma.parquet"
    run(server, out, page_size=None)
    assert {q["orderByFields"] for q in server.pages()} == {"FID"}
    assert {q["resultRecordCount"] for q in server.pages()} == {"1000"}
    assert server.offsets() == [0, 4, 8, 12, 16]  # pages of 4 flagged as partial: followed

    server.requests.clear()
    server.layer_doc["maxRecordCount"] = 3
    report = run(server, tmp_path / "small.parquet", page_size=4)
    assert {q["resultRecordCount"] for q in server.pages()} == {"3"}
    assert "page size lowered to the layer's maximum of 3 features" in report.lines()


def test_too_many_features_and_no_features(server, tmp_path):
    out = tmp_path / "sma.parquet"
    with pytest.raises(
        LimitExceeded, match=r"holds 17 features here, more than the import limit of 10, .* not written"
    ) as err:
        run(server, out, limits=Limits(max_features=10))
    assert (err.value.what, err.value.limit, err.value.actual) == ("max_features", 10, 17)
    assert server.pages() == []
    assert str(err.value).endswith("use a smaller area of interest or a narrower attribute filter, or raise the limit")
    assert cli_message(err.value).endswith(
        "use a smaller --bbox or a narrower --where, or raise it with GEODATA_MAX_IMPORT_FEATURES"
    )

    server.fail("http-500", "count", times=None)  # without a count, the limit stops the paging
    with pytest.raises(UserError, match=r"holds more than 10 features here"):
        run(server, out, limits=Limits(max_features=10))
    assert server.offsets() == [0, 4, 8] and not out.exists() and not partial(out).exists()

    server.faults.clear()
    server.requests.clear()
    with pytest.raises(UserError, match=r"no features of Surface Management Agency lie within the box once clipped"):
        run(server, out, bbox=(-111.9, 33.0, -111.0, 33.5))  # the server sends them all; none is in this box
    assert not out.exists() and not partial(out).exists()


def test_an_answer_over_the_size_limit_is_not_retried(server, tmp_path):
    out = tmp_path / "sma.parquet"
    with pytest.raises(LimitExceeded, match=r"the answer from .* is larger than the import limit of 0 MB") as err:
        run(server, out, limits=Limits(max_file_bytes=100))
    assert (err.value.what, err.value.limit, err.value.fixes) == ("max_file_bytes", 100, ("page_size", "limit"))
    assert str(err.value).endswith("; use smaller pages, or raise the limit")
    assert cli_message(err.value).endswith(
        "; use a smaller --page-size, or raise it with --max-mb or GEODATA_MAX_IMPORT_MB"
    )
    assert len(server.requests) == 1 and not out.exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://gis.blm.gov/arcgis/rest/services/lands/x/MapServer/1", "is not an http:// or https:// address"),
        ("gis.blm.gov/arcgis/rest/services/lands/x/MapServer/1", "is not an http:// or https:// address"),
        ("https://user:secret@gis.blm.gov/arcgis/rest/services/x/MapServer/1", "without a user name or password"),
    ],
)
def test_bad_urls(tmp_path, url, words):
    with pytest.raises(UserError, match=words) as err:
        import_arcgis(url, tmp_path / "x.parquet", bbox=BBOX, progress=False)
    assert "\n" not in str(err.value) and "secret" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_nothing_listening(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError) as err:
        import_arcgis(
            f"http://127.0.0.1:{port}{LAYER_PATH}", tmp_path / "x.parquet", bbox=BBOX, max_retries=1, progress=False
        )
    assert str(err.value).startswith(f"could not read the layer description http://127.0.0.1:{port}")
    assert "after 2 tries (Connection refused)" in str(err.value) and "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_no_redirect_to_another_scheme(server, tmp_path):
    server.fail("redirect", "page", offset=0, times=None)
    with pytest.raises(UserError, match="redirects to a file address, and only http and https are followed"):
        run(server, tmp_path / "x.parquet")
    assert server.offsets() == [0]  # not retried
    assert not (tmp_path / "x.parquet").exists()


def test_backoff_setting(monkeypatch):
    monkeypatch.setenv("GEODATA_HTTP_BACKOFF", "0.25")
    assert arcgis.backoff_base() == 0.25
    monkeypatch.delenv("GEODATA_HTTP_BACKOFF")
    assert arcgis.backoff_base() == arcgis.BACKOFF_SECONDS
    monkeypatch.setenv("GEODATA_HTTP_BACKOFF", "soon")
    with pytest.raises(UserError, match="GEODATA_HTTP_BACKOFF='soon' is not usable: expected a number 0 or more"):
        arcgis.backoff_base()


def test_cli_end_to_end(server, cli, tmp_path):
    out = tmp_path / "sma.parquet"
    code, stdout, stderr = cli(
        "import",
        "arcgis",
        "--url",
        server.layer_url,
        f"--bbox={BBOX_TEXT}",
        "-o",
        str(out),
        "--page-size",
        "4",
        "--no-progress",
    )
    assert code == 0, stderr
    assert stderr == ""
    lines = stdout.splitlines()
    assert lines[0].startswith("read 17 feature(s) from Surface Management Agency at http://127.0.0.1:")
    assert "repaired 1 invalid geometry (1 Self-intersection)" in lines
    assert lines[-1] == f"wrote 17 feature(s) to {out} (GeoParquet, EPSG:4326)"
    assert len(gpd.read_parquet(out)) == 17

    code, stdout, stderr = cli(
        "import",
        "blm-sma",
        "--url",
        server.layer_url,
        f"--bbox={BBOX_TEXT}",
        "-o",
        str(tmp_path / "blm.parquet"),
        "--agency",
        "BLM",
        "--page-size",
        "4",
        "--no-progress",
    )
    assert code == 0, stderr
    assert server.pages()[-1]["where"] == "ADMIN_AGENCY_CODE IN ('BLM')"


def test_cli_bbox_as_separate_argument(server, cli, tmp_path):
    out = tmp_path / "sma.parquet"
    code, _, stderr = cli(
        "import",
        "arcgis",
        "--url",
        server.layer_url,
        "--bbox",
        BBOX_TEXT,
        "-o",
        str(out),
        "--page-size",
        "4",
        "--no-progress",
    )
    assert code == 0, stderr


def test_cli_failure_is_one_line(server, cli, tmp_path):
    server.fail("http-500", "page", offset=0, times=None)
    out = tmp_path / "sma.parquet"
    code, stdout, stderr = cli(
        "import",
        "arcgis",
        "--url",
        server.layer_url,
        f"--bbox={BBOX_TEXT}",
        "-o",
        str(out),
        "--page-size",
        "4",
        "--retries",
        "1",
        "--no-progress",
    )
    assert code == 1 and stdout == ""
    assert stderr.startswith("error: could not fetch features 0–3 from ") and stderr.count("\n") == 1
    assert "Traceback" not in stderr and not out.exists()
