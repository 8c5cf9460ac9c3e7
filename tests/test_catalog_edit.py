"""The catalog-editing commands: each change validated whole, written in the stable layout, never lost."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geodata.catalog import edit
from geodata.catalog.load import FILES, load_catalog
from geodata.catalog.write import CSV_KEYS, file_texts, read_raw
from geodata.settings import SHIPPED_CATALOG

ROOT = Path(__file__).resolve().parents[1]


def _snapshot(d: Path) -> dict[str, bytes]:
    return {name: (d / name).read_bytes() for name in FILES.values()}


def test_the_writer_reproduces_the_shipped_files_byte_for_byte():
    raw = read_raw(SHIPPED_CATALOG)
    for name, text in file_texts(raw, ["sites", *CSV_KEYS]).items():
        assert text.encode("utf-8") == (SHIPPED_CATALOG / name).read_bytes(), name


def test_source_add_then_set_status_moves_the_old_status_into_the_history(catalog_copy, cli):
    d = str(catalog_copy.dir)
    code, _out, err = cli(
        "source",
        "add",
        "test-2026-07-01",
        "--publisher",
        "Test Wire",
        "--title",
        "Robins update",
        "--date",
        "2026-07-01",
        "--catalog",
        d,
    )
    assert code == 0, err
    code, _out, err = cli(
        "record",
        "set-status",
        "robins-afb",
        "cancelled",
        "--date",
        "2026-07-01",
        "--source",
        "test-2026-07-01",
        "--note",
        "withdrawn",
        "--catalog",
        d,
    )
    assert code == 0, err
    c = load_catalog(d)
    _, row = c.record("robins-afb")
    assert (row["status"], row["status_date"], row["status_note"]) == ("cancelled", "2026-07-01", "withdrawn")
    assert "test-2026-07-01" in row["sources"]
    past = c.history["robins-afb"][-1]
    assert (past.status, past.date.text, past.sources) == ("solicitation-issued", "2025-10-21", ["S28"])


def test_a_change_is_a_small_diff(catalog_copy, cli):
    d = catalog_copy.dir
    before = (d / "sites.geojson").read_text(encoding="utf-8").splitlines()
    code, _, err = cli("record", "edit", "robins-afb", "confidence=medium", "--source", "S28", "--catalog", str(d))
    assert code == 0, err
    after = (d / "sites.geojson").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('     "confidence": "high",', '     "confidence": "medium",')]


def test_refuses_without_a_source_and_writes_nothing(catalog_copy, cli):
    d = catalog_copy.dir
    before = _snapshot(d)
    for args in (
        ("record", "set-status", "robins-afb", "cancelled", "--date", "2026-07-01"),
        ("record", "edit", "robins-afb", "confidence=medium"),
        ("record", "retire", "robins-afb", "--reason", "duplicate"),
        ("record", "add", "facilities", "id=fac-x", "name=X"),
    ):
        code, _out, err = cli(*args, "--catalog", str(d))
        assert code == 1
        assert err.count("\n") == 1 and "needs a source" in err and "--source ID" in err, err
    assert _snapshot(d) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("record", "set-status", "robins-afb", "finished", "--date", "2026-07-01"),
            "'finished' is not a known",
        ),
        (("record", "edit", "robins-afb", "confidence=sure"), "confidence: 'sure' is not a known confidence; allowed"),
        (("record", "edit", "robins-afb", "colour=red"), "colour: is not a field of sites; fields: id, name"),
        (("record", "edit", "robins-afb", "status=cancelled"), "status: changes only with a status change"),
        (("record", "edit", "robins-afb", "reported_acres=lots"), "reported_acres: must be a plain number"),
        (("record", "edit", "inv-texas-gulflink", "amount_usd_low=9e12"), "amount_usd_low 9e+12 is greater than"),
        (("record", "set-status", "robins-afb", "cancelled", "--date", "2025-10-21"), "--date: is the record's"),
        (("record", "set-status", "robins-afb", "cancelled", "--date", "2026-13-01"), "--date: '2026-13-01' is not"),
        (
            ("record", "set-status", "robins-afb", "solicitation-issued", "--date", "2026-07-01"),
            "status: is already the record's status (since 2025-10-21)",
        ),
        (("record", "edit", "robins-af", "confidence=low"), "unknown record 'robins-af'; did you mean robins-afb"),
        (("record", "add", "sites", "id=robins-afb", "name=X"), "'robins-afb' is already a record in sites"),
        (("record", "edit", "robins-afb", "confidence"), "'confidence' is not FIELD=VALUE"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_nothing_is_written(catalog_copy, cli, args, expected):
    d = catalog_copy.dir
    before = _snapshot(d)
    code, _out, err = cli(*args, "--source", "S28", "--catalog", str(d))
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert expected in err, err
    assert _snapshot(d) == before


def test_unknown_source_is_refused(catalog_copy, cli):
    before = _snapshot(catalog_copy.dir)
    code, _, err = cli(
        "record", "edit", "robins-afb", "confidence=low", "--source", "S999", "--catalog", str(catalog_copy.dir)
    )
    assert code == 1 and "unknown source 'S999'" in err
    assert _snapshot(catalog_copy.dir) == before


def test_record_add_from_a_file_with_an_outline(catalog_copy, cli, tmp_path):
    outline = tmp_path / "outline.geojson"
    code, out, _ = cli("approx-polygon", "-147.06", "64.67", "500")
    outline.write_text(out, encoding="utf-8")
    rec = tmp_path / "site.toml"
    rec.write_text(
        'id = "test-site"\nname = "Test site"\nrole = "candidate"\nphase = "context"\nstatus = "candidate"\n'
        'status_date = "2026-04-10"\nfirst_reported = "2026-04-10"\nagency = "DAF"\nland_status = "federal"\n'
        'state = ["AK"]\nreported_acres = 500\nconfidence = "medium"\ngeometry_quality = "approximate"\n'
        'coord_method = "site-memory"\ngeometry_note = "A test circle."\nanchor = "-147.06,64.67"\n',
        encoding="utf-8",
    )
    code, out, err = cli(
        "record",
        "add",
        "sites",
        "name=Test site (flag wins)",
        "--file",
        str(rec),
        "--geometry",
        str(outline),
        "--source",
        "S28",
        "--catalog",
        str(catalog_copy.dir),
    )
    assert code == 0, err
    c = load_catalog(catalog_copy.dir)
    _, row = c.record("test-site")
    assert row["name"] == "Test site (flag wins)" and row["state"] == ["AK"] and row["sources"] == ["S28"]
    assert abs(row["area_acres"] / 500 - 1) < 0.01


def test_retire_keeps_the_record_with_its_reason_and_history(catalog_copy, cli):
    code, out, err = cli(
        "record",
        "retire",
        "fac-hyosung-memphis",
        "--reason",
        "out of scope",
        "--date",
        "2026-07-01",
        "--source",
        "S28",
        "--catalog",
        str(catalog_copy.dir),
    )
    assert code == 0, err
    c = load_catalog(catalog_copy.dir)
    _, row = c.record("fac-hyosung-memphis")
    assert row["status"] == "retired" and row["status_note"] == "out of scope"
    assert c.history["fac-hyosung-memphis"][-1].status == "operational"
    code, out, _ = cli("changes", "--since", "2026-07-01", "--format", "json", "--catalog", str(catalog_copy.dir))
    [event] = json.loads(out)
    assert event["what"].startswith("retired") and event["record"] == "fac-hyosung-memphis"


def test_an_earlier_status_goes_into_the_history_in_date_order(catalog_copy, cli):
    d = str(catalog_copy.dir)
    assert (
        cli("record", "edit", "oak-ridge-reservation", "first_reported=2025-03", "--source", "S21", "--catalog", d)[0]
        == 0
    )
    code, _, err = cli(
        "record",
        "set-status",
        "oak-ridge-reservation",
        "concept",
        "--date",
        "2025-03",
        "--source",
        "S21",
        "--catalog",
        d,
    )
    assert code == 0, err
    dates = [e.date.text for e in load_catalog(d).history["oak-ridge-reservation"]]
    assert dates == sorted(dates) and dates[0] == "2025-03"


def test_a_second_writer_waits_for_the_lock_and_keeps_the_first_writers_change(catalog_copy):
    """Hold the lock as a first writer would, change a file under it, then release: the second writer,
    started while the lock was held, must re-read and keep that change."""
    d = catalog_copy.dir
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(d / edit.LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        second = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "geodata",
                "record",
                "edit",
                "edwards-afb",
                "confidence=low",
                "--source",
                "S28",
                "--catalog",
                str(d),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        assert second.poll() is None, "the second writer did not wait for the lock"
        # the first writer's change, made while it holds the lock
        raw = read_raw(d)
        next(f for f in raw.sites if f["properties"]["id"] == "robins-afb")["properties"]["confidence"] = "medium"
        for name, text in file_texts(raw, ["sites"]).items():
            (d / name).write_text(text, encoding="utf-8", newline="")
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    _out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    c = load_catalog(d)
    assert c.record("robins-afb")[1]["confidence"] == "medium"
    assert c.record("edwards-afb")[1]["confidence"] == "low"


def test_concurrent_writers_lose_nothing(catalog_copy):
    d = catalog_copy.dir
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ids = ["edwards-afb", "robins-afb", "joint-base-mcguire-dix-lakehurst", "davis-monthan-afb"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "geodata",
                "record",
                "edit",
                rid,
                "confidence=low",
                "--source",
                "S28",
                "--catalog",
                str(d),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rid in ids
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    c = load_catalog(d)
    assert [c.record(rid)[1]["confidence"] for rid in ids] == ["low"] * len(ids)
