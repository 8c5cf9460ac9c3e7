"""Project rules: layers kept apart, README and CI in step, lint clean."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from .conftest import ROOT

UI_MODULES = {"streamlit", "folium", "branca", "streamlit_folium", "altair"}


def imported_roots(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_geodata_never_imports_the_ui():
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_roots(p) & UI_MODULES)
        for p in (ROOT / "geodata").rglob("*.py")
        if imported_roots(p) & UI_MODULES
    }
    assert offenders == {}


def test_geodata_imports_without_ui_packages_loaded():
    code = (
        "import sys, geodata.cli.main, geodata.catalog.load, geodata.catalog.filters, "
        "geodata.export.formats, geodata.shortlists.store; "
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(UI_MODULES)!r}); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_readme_shows_the_test_command_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    cmd = re.search(r"^TEST_CMD='(.+)'$", ci, re.MULTILINE).group(1)
    assert cmd in (ROOT / "README.md").read_text()


def test_readme_shows_how_to_start_the_app():
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/python -m dashboard" in readme  # what tests/browser.py starts for every browser test
    assert (ROOT / "docs" / "screenshot.png").is_file() and "docs/screenshot.png" in readme


def test_rendering_helpers_import_no_ui_framework():
    """dashboard/render/ holds pure functions (view maths, URL state, HTML): testable without Streamlit or a map."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_roots(p) & {"streamlit", "folium", "branca", "streamlit_folium"})
        for p in (ROOT / "dashboard" / "render").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_package_installs_a_geodata_command():
    r = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "geodata"), "validate"]
        if (ROOT / ".venv" / "bin" / "geodata").exists()
        else [sys.executable, "-m", "geodata", "validate"],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "valid" in r.stdout, r.stdout + r.stderr


def test_no_sys_path_tricks():
    hits = [
        str(p.relative_to(ROOT))
        for d in ("geodata", "dashboard", "tests", "bench")
        for p in (ROOT / d).rglob("*.py")
        if "sys.path.insert" in p.read_text(encoding="utf-8") and p.name != "test_project.py"
    ]
    assert hits == []


def test_ruff_is_clean():
    for args in (["check", "."], ["format", "--check", "."]):
        r = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
