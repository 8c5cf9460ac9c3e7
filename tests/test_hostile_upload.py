"""The hostile corpus through the app's upload box: the same sentence as the CLI, nothing kept of a refused file."""

from __future__ import annotations

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geodata.cli.wording import cli_message
from geodata.importers.files import import_file
from geodata.importers.limits import UPLOAD_LIMITS, Limits
from geodata.problems import ChoiceNeeded, CrsNeeded, LimitExceeded, UserError, one_line

from .hostile import CASES
from .test_errors import shown
from .test_hostile_files import one_line_refusal

# The upload box as the app draws it (dashboard/layers_panel.py), without the map: ~10x faster per upload.
PANEL = """
from dashboard import layers_panel
layers_panel.sidebar()
"""
UPLOADABLE = {"geojson", "json", "gpkg", "zip", "kml", "kmz", "fgb", "csv", "parquet"}


def _uploadable(case, tmp) -> bool:
    if not case.upload or case.args:
        return False
    return case.build(tmp).suffix.lower().lstrip(".") in UPLOADABLE


def _refusal(path, tmp, limits) -> UserError:
    with pytest.raises(UserError) as err:
        import_file(path, tmp / "never.parquet", limits)
    return err.value


def _problem(exc: UserError) -> str:
    """The sentence both front ends show; a choice, a CRS or a limit ends in each one's own remedy."""
    return one_line(exc.problem if isinstance(exc, (ChoiceNeeded, CrsNeeded, LimitExceeded)) else str(exc))


def _upload(at: AppTest, name: str, data: bytes, layer_name: str) -> AppTest:
    at.file_uploader(key="lyr_upload").set_value((name, data, "application/octet-stream"))
    if at.button(key="lyr_import").disabled:  # enabled once a file is in the box
        at.run()
    at.text_input(key="lyr_name").input(layer_name)
    at.button(key="lyr_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_uploadable_case_gets_the_clis_sentence_in_the_app(monkeypatch, tmp_path, cli):
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path / "home"))
    at = AppTest.from_string(PANEL, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    layers = tmp_path / "home" / "layers"
    checked = same = 0
    for n, case in enumerate(CASES):
        probe = tmp_path / f"probe{n}"
        probe.mkdir()
        if not _uploadable(case, probe):
            continue
        src = tmp_path / f"src{n}"
        src.mkdir()
        path = case.build(src)
        before = sorted(p.name for p in layers.iterdir()) if layers.exists() else []
        _upload(at, path.name, path.read_bytes(), f"case{n}")
        text = shown(at)
        after = sorted(p.name for p in layers.iterdir()) if layers.exists() else []
        if case.words is None:
            assert f"Imported layer 'case{n}'" in text, (case.id, text)
            case.check(gpd.read_parquet(layers / f"case{n}.parquet"))
        else:
            in_app, in_cli = _refusal(path, tmp_path, UPLOAD_LIMITS), _refusal(path, tmp_path, Limits.from_env())
            code, out, err = cli("import", "file", str(path), "-o", str(tmp_path / "cli.parquet"))
            assert one_line_refusal(code, out, err, case.words) == one_line(cli_message(in_cli)), case.id
            assert _problem(in_app) in text, (case.id, _problem(in_app), text)
            if type(in_app) is UserError and str(in_app) == str(in_cli):  # no remedy of its own: word for word
                assert f"Not imported: {_problem(in_app)}" in text and one_line(str(in_cli)) == _problem(in_app)
                same += 1
            assert "\n" not in text and "Traceback" not in text, (case.id, text)
            assert after == before, f"{case.id}: a refused upload leaves nothing in the layers folder"
        checked += 1
        if at.session_state.get("lyr_pending"):
            at.button(key="lyr_forget").click().run()
    assert checked >= 90 and same >= 60, (checked, same)
