"""Typed errors: the library never names a CLI flag; the CLI and the app each word the same error their way."""

from __future__ import annotations

import ast
import builtins
import io
import re
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from geodata.cli.wording import cli_message, exit_code
from geodata.layers.store import LayerStore
from geodata.problems import (
    ChoiceNeeded,
    CrsNeeded,
    InvalidValue,
    LimitExceeded,
    NotPolygons,
    UsageError,
    UserError,
)

from .conftest import ROOT
from .test_import_files import two_layers

GEODATA = ROOT / "geodata"
FLAG = re.compile(r"--[A-Za-z]")
APP = str(ROOT / "dashboard" / "app.py")


# ------------------------------------------------------------------ no flag in the library's messages


def _library_files():
    return sorted(p for p in GEODATA.rglob("*.py") if "cli" not in p.relative_to(GEODATA).parts[:1])


def _exception_names(trees) -> set[str]:
    """Builtin exceptions and every class in geodata deriving from one, by name."""
    names = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {
            c.name
            for c in classes
            if c.name not in names
            and any((b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")) in names for b in c.bases)
        }
        if not more:
            return names
        names |= more


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _texts(node: ast.AST):
    """Every string literal under `node`; an f-string with each {field} read as X, so f"--{x}" still shows."""
    parts = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            parts |= {id(v) for v in sub.values}
            yield sub.lineno, "".join(v.value if isinstance(v, ast.Constant) else "X" for v in sub.values)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and id(sub) not in parts:
            yield sub.lineno, sub.value


def flag_naming_messages(sources: dict[str, str]) -> list[str]:
    trees = {name: ast.parse(text) for name, text in sources.items()}
    exceptions = _exception_names(trees.values())
    found = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                parts = [node.exc]
            elif isinstance(node, ast.Call) and _callee(node) in exceptions:
                parts = [*node.args, *(k.value for k in node.keywords)]
            else:
                continue
            found += [f"{name}:{line}: {text!r}" for part in parts for line, text in _texts(part) if FLAG.search(text)]
    return sorted(set(found))


def test_the_scan_sees_flags_in_raises_constructors_and_f_strings():
    sample = {
        "sample.py": (
            "class Oops(ValueError):\n    pass\n"
            "def a(n):\n    raise UserError(f'{n} has 2 layers; pick one with --layer')\n"
            "def b():\n    return Oops('raise it with --max-mb')\n"
            "def c(flag):\n    raise KeyError(f'--{flag}')\n"
            "def d():\n    log('--fine-outside-errors')\n"
        )
    }
    hits = flag_naming_messages(sample)
    assert [h.split(":")[1] for h in hits] == ["4", "6", "8"], hits


def test_no_message_raised_outside_the_cli_names_a_cli_flag():
    files = _library_files()
    assert any(p.name == "readers.py" for p in files) and not any(p.parent.name == "cli" for p in files)
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}
    hits = flag_naming_messages(sources)
    assert hits == [], "library messages must not name CLI flags (raise a typed error instead):\n" + "\n".join(hits)


# ------------------------------------------------------------------ one error, two wordings


CASES = [
    (ChoiceNeeded("x.gpkg", "layer", ["a", "b"]), "x.gpkg has 2 layers (a, b); pick one with --layer"),
    (
        ChoiceNeeded("x.zip", "member", ["a.shp", "b.gpkg"]),
        "x.zip has 2 datasets (a.shp, b.gpkg); pick one with --member",
    ),
    (ChoiceNeeded("out.txt", "format", ["csv", "kml"]), "cannot tell the format from 'out.txt' (formats: csv, kml); "),
    (
        LimitExceeded("max_file_bytes", 2**20, 2 * 2**20, problem="x.gpkg is 2.0 MB, more than the limit of 1 MB"),
        "x.gpkg is 2.0 MB, more than the limit of 1 MB; raise it with --max-mb or GEODATA_MAX_IMPORT_MB",
    ),
    (
        LimitExceeded("max_features", 10, None, problem="L has 11", fixes=("bbox", "where", "limit")),
        "L has 11; use a smaller --bbox or a narrower --where, or raise it with GEODATA_MAX_IMPORT_FEATURES",
    ),
    (
        LimitExceeded("max_xml_bytes", 10, 20, problem="x.kml is too big", fixes=()),
        "x.kml is too big",
    ),
    (
        CrsNeeded("p.shp", "p.shp has no CRS", file_fix="add its .prj file", example="EPSG:4326"),
        "p.shp has no CRS; add its .prj file, or pass --crs (e.g. --crs EPSG:4326)",
    ),
    (CrsNeeded("m.json", "m.json is metres", wrong=True), "m.json is metres; give the right CRS with --crs"),
    (NotPolygons("SMA at u", "line"), "SMA at u holds line features, not polygons; add --no-polygons to import them"),
    (InvalidValue("state", ["ZZ"], "ZZ not a US state code"), "--state: ZZ not a US state code"),
    (InvalidValue("page_size", 0, "must be at least 1, not 0"), "--page-size: must be at least 1, not 0"),
    (UsageError("geodata: unrecognized arguments: --x"), "geodata: unrecognized arguments: --x (see --help)"),
    (UserError("plain words"), "plain words"),
]


@pytest.mark.parametrize(("exc", "cli"), CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)])
def test_each_error_reads_neutrally_and_the_cli_words_it_as_flags(exc, cli):
    assert isinstance(exc, UserError)
    text = str(exc)
    assert "\n" not in text and text
    if not isinstance(exc, UsageError):  # argparse's own words name flags; only the CLI raises these
        assert not FLAG.search(text), text
        assert "GEODATA_" not in text, "a setting is the CLI's to name: the upload box ignores them"
    assert cli_message(exc).startswith(cli), cli_message(exc)
    assert exit_code(exc) == (2 if isinstance(exc, UsageError) else 1)


def test_choices_and_limits_carry_their_data():
    exc = ChoiceNeeded("x.gpkg", "layer", [f"l{i}" for i in range(20)], given="nope")
    assert exc.choices == tuple(f"l{i}" for i in range(20)) and exc.given == "nope"
    assert str(exc).startswith("x.gpkg has no layer 'nope' (layers: l0, l1,") and ", …)" in str(exc)
    exc = LimitExceeded("max_features", 10, 17, problem="p")
    assert (exc.what, exc.limit, exc.actual, exc.fixes) == ("max_features", 10, 17, ("limit",))


# ------------------------------------------------------------------ the app's upload box


def run_app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path / "home"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes, layer_name: str = "") -> AppTest:
    at.file_uploader(key="lyr_upload").set_value((name, data, "application/octet-stream")).run()
    at.text_input(key="lyr_name").input(layer_name)
    at.button(key="lyr_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    return " ".join(e.value for kind in ("info", "error", "success", "warning") for e in getattr(at, kind))


def test_upload_of_a_two_layer_geopackage_offers_the_layers_and_keeps_the_file(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path)
    src = tmp_path / "in"
    src.mkdir()
    upload(at, "two.gpkg", two_layers(src).read_bytes(), "picked")
    assert "two.gpkg has 2 layers (parcels, roads): choose one below and import again." in shown(at)
    assert "--layer" not in shown(at) and not at.error
    assert at.selectbox(key="lyr_choice").options == ["parcels", "roads"]
    at.file_uploader(key="lyr_upload").set_value(None).run()  # the upload is gone; the file is kept
    at.selectbox(key="lyr_choice").set_value("roads")
    at.button(key="lyr_again").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Imported layer 'picked'" in shown(at), shown(at)
    info = LayerStore(tmp_path / "home").get("picked")
    assert len(LayerStore(tmp_path / "home").list()) == 1 and info.path.exists()
    assert not at.get("selectbox") or all(s.key != "lyr_choice" for s in at.selectbox)


def test_upload_without_a_crs_asks_for_it(monkeypatch, tmp_path):
    at = run_app(monkeypatch, tmp_path)
    upload(at, "xy.csv", b"name,x,y\na,-1650000,1500000\n")
    assert "xy.csv has 'x'/'y' columns but no CRS: enter its CRS below and import again." in shown(at)
    at.text_input(key="lyr_crs").input("not a crs")
    at.button(key="lyr_again").click().run()
    assert "'not a crs' is not a coordinate reference system" in shown(at) and "--crs" not in shown(at)
    at.text_input(key="lyr_crs").input("EPSG:5070")  # the file was kept for another try
    at.button(key="lyr_again").click().run()
    assert "Imported layer 'xy'" in shown(at), shown(at)


def test_upload_over_a_limit_is_a_sentence_about_the_upload_box(monkeypatch, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(2001):  # the upload box takes 2,000 members
            zf.writestr(f"f{i}.txt", "")
    at = run_app(monkeypatch, tmp_path)
    upload(at, "many.zip", buf.getvalue())
    errors = " ".join(e.value for e in at.error)
    assert "Not imported: many.zip has 2,001 members, more than the limit of 2,000. That is the upload box's limit" in (
        errors
    )
    assert "GEODATA_" not in errors and not FLAG.search(errors)
    assert all(s.key != "lyr_choice" for s in at.selectbox)
