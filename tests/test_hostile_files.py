"""The hostile corpus (tests/hostile.py) through `geodata import file`: one line, nothing written, or read back."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import geopandas as gpd
import pytest

from .conftest import ROOT
from .hostile import CASES

BY_ID = {c.id: c for c in CASES}


def one_line_refusal(code: int, out: str, err: str, words: str) -> str:
    assert code == 1, (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    line = err.rstrip("\n")
    assert line.startswith("error: ") and "unexpected" not in line, line
    assert all(c.isprintable() for c in line), repr(line)
    assert words in line, line
    return line[len("error: ") :]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_refuses_in_one_line_or_reads_back_right(case, cli, tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    path = case.build(src)
    target = out / "layer.parquet"
    code, stdout, err = cli("import", "file", str(path), "-o", str(target), *case.args)
    if case.words is None:
        assert code == 0 and err == "", (code, err)
        back = gpd.read_parquet(target)
        assert back.crs.to_epsg() == 4326
        case.check(back)
    else:
        one_line_refusal(code, stdout, err, case.words)
        assert list(out.iterdir()) == [], "nothing is written when an import is refused"


def _bounded_run(args, env, seconds: float, memory_mb: int):
    """The CLI in a child process limited to `memory_mb` of address space and `seconds` of wall time."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))

    return subprocess.run(
        [sys.executable, "-m", "geodata", *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=limit,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda d: _write(d / "wide.csv", b"lon,lat" + b",c" * 1_500_000 + b"\n"), "columns"),
        (lambda d: _write(d / "long.csv", b"lon,lat," + b"y" * (40 * 2**20)), "header line is longer"),
        (lambda d: BY_ID["gpkg-recursive-view"].build(d), "is an SQL view"),
    ],
    ids=["csv-1.5M-columns-3MB", "csv-40MB-header-line", "gpkg-recursive-view"],
)
def test_inputs_built_to_exhaust_memory_or_time_are_refused_within_bounds(tmp_path, build, words):
    """Refused in a child process capped at 1.5 GB of address space and 60 s (they took GBs, or hung, before)."""
    path = build(tmp_path)
    r = _bounded_run(["import", "file", str(path), "-o", str(tmp_path / "o.parquet")], {}, 60, 1536)
    one_line_refusal(r.returncode, r.stdout, r.stderr, words)
    assert not (tmp_path / "o.parquet").exists()


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_the_corpus_is_large_and_covers_every_format():
    assert len(CASES) >= 100
    refused = [c for c in CASES if c.words]
    accepted = [c for c in CASES if not c.words]
    assert len(refused) >= 80 and len(accepted) >= 15
    exts = {c.build.__name__ for c in CASES}
    assert exts  # built by functions, generated at test time
