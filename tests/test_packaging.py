"""The built wheel carries the historical data, the scenarios and the report template, and
an installed copy (not the checkout) finds them: ``validate`` runs on it.

The wheel is built offline from a copy of the checkout (setuptools and wheel are dev
dependencies, so no build isolation and no download), installed with ``--target``
into a temporary folder, and run from there with this interpreter's dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from twofront.engine.compiled import cache_folder
from twofront.simulation import warm

ROOT = Path(__file__).resolve().parents[1]
DATA = sorted(p.name for p in (ROOT / "data").iterdir() if p.suffix in (".csv", ".toml", ".md"))
SCENARIOS = sorted(p.name for p in (ROOT / "src/twofront/scenario/scenarios").glob("*.toml"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "src", source / "src", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
    shutil.copytree(ROOT / "data", source / "data")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
               "--no-index", "-q", "-w", str(out), str(source)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("twofront-*.whl")
    return path


def test_the_wheel_holds_every_data_file_and_scenario(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert DATA, "no data files found in the checkout"
    for name in DATA:
        assert f"twofront/data/{name}" in names, name
    for name in SCENARIOS:
        assert f"twofront/scenario/scenarios/{name}" in names, name
    assert "twofront/report/templates/experiment.html.j2" in names


def test_an_installed_wheel_finds_its_data_and_validates(wheel, tmp_path):
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
               "--target", str(site), str(wheel)]  # fmt: skip
    done = subprocess.run(install, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TWOFRONT_DATA")}
    env["PYTHONPATH"] = str(site)
    where = subprocess.run(
        [sys.executable, "-c", "import twofront.history as h; print(h.data_dir())"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site)
    warm()  # this checkout's kernels compiled and cached (seconds when make has done it)
    cached = _cache_files()
    validate = [sys.executable, "-m", "twofront", "validate", "--case", "kursk-2024-backtest",
                "--runs", "10", "--out", str(tmp_path / "v"), "--format", "csv"]  # fmt: skip
    run = subprocess.run(validate, capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=900)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "kursk-2024-backtest" in run.stdout
    assert "could not run" not in run.stdout + run.stderr
    assert (tmp_path / "v" / "report.html").is_file()
    # the installed copy has the same kernel sources at another path: it loads the
    # machine code compiled for the checkout instead of compiling (and writing) its own
    assert _cache_files() == cached


def _cache_files() -> dict[str, int]:
    folder = cache_folder()
    files = (p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in files}


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_the_wheel_and_its_locked_dependencies_resolve_on_newer_pythons(wheel, tmp_path, python):
    # This machine has only Python 3.11, so the closest real check: pip resolves the wheel
    # (its requires-python) and every locked dependency to a binary wheel built for that
    # Python (or for any Python), from the package index, without installing anything.
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
               "--ignore-installed", "--python-version", python, "--only-binary=:all:",
               "--target", str(tmp_path / "t"), "-c", str(ROOT / "requirements.lock"),
               "--report", str(report), str(wheel)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    names = {item["metadata"]["name"].lower() for item in installed}
    assert {"twofront", "numpy", "scipy", "pydantic", "xarray", "duckdb", "pyarrow"} <= names
    version = python.replace(".", "")
    tags = (f"cp{version}", f"py{version}", "abi3", "py3-none", "py2.py3")
    for item in installed:
        file = item["download_info"]["url"].rsplit("/", 1)[-1]
        if item["metadata"]["name"].lower() == "twofront":
            continue
        assert file.endswith(".whl"), file
        assert any(tag in file for tag in tags), file
