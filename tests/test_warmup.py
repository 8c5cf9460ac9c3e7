"""The warm-up `python -m dashboard` runs beside the server: it fills the app's own caches and never breaks."""

from __future__ import annotations

import logging

from dashboard import data, map_panel, warmup
from geodata.catalog.filters import Filters
from geodata.catalog.load import LAYERS


def test_the_warm_up_fills_the_caches_the_first_run_reads(monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    data._load.clear()
    map_panel._search_index.clear()
    warmup._warm()
    directory = data.catalog_dir()
    calls = []
    monkeypatch.setattr(data, "check_catalog", lambda *a, **k: calls.append(a))
    catalog, problems = data.load(directory)  # served from the cache: the catalog is not read again
    assert calls == [] and catalog is not None and not problems
    assert {len(data.filtered(catalog, data.stamp(directory), layer, Filters())) for layer in LAYERS}


def test_the_warm_up_leaves_an_invalid_catalog_to_the_first_run(monkeypatch, tmp_path, caplog):
    bad = tmp_path / "catalog"
    bad.mkdir()
    (bad / "sites.geojson").write_text("not json")
    monkeypatch.setenv("GEODATA_CATALOG", str(bad))
    monkeypatch.setattr(warmup, "_wait_for_runtime", lambda: None)
    with caplog.at_level(logging.INFO, logger="atlas.warmup"):
        warmup.run()  # says nothing to a user and raises nothing: the first run reports the catalog
    assert "warm-up" in caplog.text
