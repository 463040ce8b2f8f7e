"""The project as a wheel: built with hatchling, installed into a fresh virtual environment and used from
a folder outside the repository, it finds its SQL, dictionary, sample data and reference CSVs in the
installed packages (importlib.resources and paths beside the code), not through a checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from assets.definitions import defs
from pipeline.dictionary import dictionary

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "assets", "warehouse")
# What the sources read at run time: every file of the code packages (pipeline/ holds the sample data and
# reference CSVs, a slice folder its raw.sql and tables.yaml) and the warehouse package's SQL and dictionary.
RUNTIME_FILES = (
    "pipeline/**/*",
    "assets/**/*",
    "warehouse/**/*.py",
    "warehouse/**/*.sql",
    "warehouse/*.yaml",
)
# Local state that must never ship (the warehouse, its WAL, the HTTP cache, bytecode).
NEVER_SHIPPED = (".duckdb", ".duckdb.wal", ".sqlite", ".pyc", ".parquet")  # a warehouse, its lake, caches
# The reference tables and one source slice's raw load, in sample mode, then published.
GROUPS = ("reference", "publish")
ASSETS = ("raw/worldbank_indicators",)

# Run by the installed interpreter: where the packages come from, what they resolve and what a small
# sample run writes, as JSON on the last line of stdout.
CHILD = """
import json, os, sys
import dagster as dg
import duckdb
import assets, pipeline, warehouse
from assets.definitions import defs
from pipeline.dictionary import dictionary
from pipeline.warehouse import sql_text

groups, extra = json.loads(sys.argv[1]), json.loads(sys.argv[2])
graph = defs.resolve_asset_graph()
keys = graph.get_all_asset_keys()
selection = [k for k in keys if graph.get(k).group_name in groups or k.to_user_string() in extra]
result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
    instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=selection
)
written = sorted({e.asset_key.to_user_string() for e in result.get_asset_materialization_events()})
conn = duckdb.connect(os.environ["COLLAB_WAREHOUSE"], read_only=True)
rows = {
    key: conn.execute('SELECT count(*) FROM "{}"."{}"'.format(*key.split("/"))).fetchone()[0]
    for key in written if not key.startswith("publish/")
}
requests = [r[0] for r in conn.execute("SELECT DISTINCT request FROM raw.worldbank_indicators ORDER BY 1").fetchall()]
print(json.dumps({
    "files": {m.__name__: m.__file__ for m in (assets, pipeline, warehouse)},
    "sys_path": sys.path,
    "keys": sorted(k.to_user_string() for k in keys),
    "works_sql": sql_text("core/works.sql"),
    "dictionary": sorted(dictionary()["tables"]),
    "success": result.success,
    "written": written,
    "rows": rows,
    "requests": requests,
}))
"""


def uv() -> str:
    """scripts/env.sh installs uv into .tools; a uv on PATH serves otherwise."""
    found = REPO / ".tools" / "bin" / "uv"
    command = str(found) if found.is_file() else shutil.which("uv")
    if command is None:
        pytest.fail("uv not found: run `source scripts/env.sh` first (it installs uv into .tools/)")
    return command


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)[:200]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once by hatchling in an isolated build environment, from the working tree."""
    out = tmp_path_factory.mktemp("dist")
    run([uv(), "build", "--wheel", "--out-dir", str(out)], cwd=REPO)
    (wheel,) = out.glob("*.whl")
    return wheel


def fresh_venv(root: Path, wheel: Path) -> Path:
    """A new virtual environment holding only the wheel (no dependencies installed); this environment's
    site-packages is put on its path with a .pth line so the dependencies need not be installed again.
    A .pth file read from a directory added that way is not processed, so this environment's editable
    install (a .pth naming the repository) does not reach the new one."""
    venv = root / "venv"
    run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=root)
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).strip())
    dependencies = Path(sysconfig.get_paths()["purelib"])
    assert dependencies.resolve() != REPO
    (site / "project_dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    run([uv(), "pip", "install", "--quiet", "--no-deps", "--python", str(python), str(wheel)], cwd=root)
    return python


def test_wheel_holds_what_the_sources_read(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {
        path.relative_to(REPO).as_posix()
        for pattern in RUNTIME_FILES
        for path in REPO.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert {
        "warehouse/core/works.sql",
        "warehouse/dictionary.yaml",
        "pipeline/reference/university_towns.csv",
        "assets/worldbank/tables.yaml",
    } <= needed
    assert any(n.startswith("pipeline/sample_data/") for n in needed) and any(n.endswith("/raw.sql") for n in needed)
    assert sorted(needed - names) == []
    assert sorted(n for n in names if n.endswith(NEVER_SHIPPED)) == []
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == set(PACKAGES)


def test_installed_wheel_runs_outside_the_repository(wheel: Path, tmp_path: Path):
    python = fresh_venv(tmp_path, wheel)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert not outside.resolve().is_relative_to(REPO)
    # The isolated sample-mode environment (tests/conftest.py) minus anything pointing at the checkout.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    out = run([str(python), "-c", CHILD, json.dumps(GROUPS), json.dumps(ASSETS)], cwd=outside, env=env)
    child = json.loads(out.strip().splitlines()[-1])

    site = python.parent.parent.resolve()
    assert all(Path(f).resolve().is_relative_to(site) for f in child["files"].values()), child["files"]
    assert not any(p and Path(p).resolve() == REPO for p in child["sys_path"]), child["sys_path"]
    graph = defs.resolve_asset_graph()
    assert child["keys"] == sorted(k.to_user_string() for k in graph.get_all_asset_keys())
    assert child["works_sql"] == (REPO / "warehouse" / "core" / "works.sql").read_text(encoding="utf-8")
    assert child["dictionary"] == sorted(dictionary()["tables"])

    assert child["success"]
    assert set(ASSETS) <= set(child["written"]) and "publish/warehouse" in child["written"]
    assert {key: n for key, n in child["rows"].items() if n == 0} == {}
    # Provenance names the sample files as the repository's runs do (paths relative to the package root).
    shipped = sorted(
        f"sample:{p.relative_to(REPO).as_posix()}" for p in (REPO / "pipeline/sample_data/worldbank").glob("*.json")
    )
    assert child["requests"] == shipped
