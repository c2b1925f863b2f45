"""The wheel carries what LabDesk needs: built from a copy of this checkout, installed into
a fresh virtual environment, and run from a folder outside the source tree, it creates the
demo lab, issues a report and verifies it, and passes the self-test.

The wheel's dependencies are installed by pip as a user's ``pip install labdesk`` would
(from PyPI, or the index pip is configured with): that also proves pyproject.toml declares
every one of them.  Measured on a 2-core machine: about 15 s for the install, 35 s for the
whole test.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from labdesk.demo import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
BIN = "Scripts" if os.name == "nt" else "bin"
pytestmark = pytest.mark.slow

# What a copy of the checkout leaves out: at the top, the VCS, environments, build output,
# caches, tests and docs; anywhere, compiled files.
TOP_JUNK = {".git", ".venv", "venv", "build", "dist", "out", "tests", "docs",
            ".pytest_cache", ".hypothesis", ".ruff_cache", ".import_linter_cache"}


def _junk(folder, names):
    top = Path(folder) == ROOT
    return {n for n in names if (top and n in TOP_JUNK) or n == "__pycache__"
            or n.endswith((".pyc", ".egg-info"))}


def run(args, cwd, env, timeout=600, ok=True):
    """Run a command; on an unexpected exit status fail with its output."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if ok and done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {done.returncode}\n"
                    f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done


def clean_env(**extra) -> dict:
    """The environment without anything that could point back at this checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LABDESK_HOME",
                        "LABDESK_USER", "LABDESK_PASSWORD", "PYTHONSTARTUP")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", QT_QPA_PLATFORM="offscreen", **extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout (the build never writes into it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=_junk)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
         "--wheel-dir", tmp / "dist", source], cwd=tmp, env=clean_env())
    wheels = list((tmp / "dist").glob("labdesk-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_contains_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"labdesk/resources/__init__.py",
                "labdesk/resources/verify/index.html",
                "labdesk/resources/icons/labdesk.svg",
                "labdesk/cli.py", "labdesk/selftest.py", "labdesk/ui/views/__init__.py"}
    expected |= {f"labdesk/resources/rulesets/{p.name}"
                 for p in (ROOT / "resources" / "rulesets").glob("*.toml")}
    expected |= {f"labdesk/resources/rulesets/history/{p.name}"   # earlier versions
                 for p in (ROOT / "resources" / "rulesets" / "history").glob("*.toml")}
    expected |= {f"labdesk/resources/icons/labdesk-{size}.png"
                 for size in (16, 24, 32, 48, 64, 128, 256, 512)}
    expected |= {"labdesk/resources/rulesets/eu.toml", "labdesk/resources/rulesets/us.toml",
                 "labdesk/resources/rulesets/uk.toml"}
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    # every package of the source tree is in the wheel (a new subpackage not listed in
    # pyproject.toml's [tool.setuptools] packages would be silently left out)
    for init in (ROOT / "labdesk").rglob("__init__.py"):
        if "__pycache__" not in init.parts:
            name = init.relative_to(ROOT).as_posix()
            assert name in names, f"{name} is not in the wheel: add its package to " \
                                  f"pyproject.toml"
    assert not any(n.startswith(("tests/", "resources/")) for n in names)


def test_installed_wheel_runs_demo_report_and_verify(wheel, tmp_path):
    venv = tmp_path / "venv"
    work = tmp_path / "work"                        # the cwd: outside the source tree
    work.mkdir()
    assert ROOT not in work.resolve().parents
    env = clean_env()
    run([sys.executable, "-m", "venv", venv], cwd=work, env=env)
    python, labdesk = venv / BIN / "python", venv / BIN / "labdesk"
    run([python, "-m", "pip", "install", "--quiet", wheel], cwd=work, env=env, timeout=900)

    # labdesk and its resources come from the venv, not from this checkout
    where = run([python, "-c", (
        "import labdesk, importlib.resources as r;"
        "from labdesk.core.rulesets import default_rulesets_dir as d;"
        "print(labdesk.__file__);"
        "print(r.files('labdesk.resources').joinpath('verify/index.html'));"
        "print(d())")], cwd=work, env=env).stdout.splitlines()
    site = venv.resolve()
    for line in where:
        assert site in Path(line).resolve().parents, f"{line} is not inside the venv"
    assert Path(where[2]).name == "rulesets" and list(Path(where[2]).glob("eu.toml"))

    home = work / "demo-lab"
    out = run([labdesk, "demo", "--no-gui", "--home", home], cwd=work, env=env).stdout
    assert "demo lab created" in out and "approved" in out

    approved = run([python, "-c", (
        "import sys; from labdesk.lab import Lab;"
        "lab = Lab.open(sys.argv[1]); lab.login('sue', sys.argv[2]);"
        "print(lab.stones(state='approved', limit=1).items[0].number)"), home,
        DEMO_USERS["sue"][2]],
        cwd=work, env=env).stdout.strip()
    assert re.fullmatch(r"D\d{7}", approved), approved

    issued = run([labdesk, "report", "issue", approved, "--home", home, "--user", "sue"],
                 cwd=work, env={**env, "LABDESK_PASSWORD": DEMO_USERS["sue"][2]}).stdout
    match = re.search(r"issued (\S+) for (\S+): (.+\.pdf)", issued)
    assert match and match[2] == approved, issued
    pdf = Path(match[3])
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"

    verified = run([labdesk, "verify", pdf, "--home", home, "--user", "sue"], cwd=work,
                   env={**env, "LABDESK_PASSWORD": DEMO_USERS["sue"][2]})
    assert verified.stdout.startswith("VALID"), verified.stdout
    assert match[1] in verified.stdout

    selftest = run([python, "-m", "labdesk.selftest"], cwd=work, env=env)
    assert "self-test passed" in selftest.stdout, selftest.stdout
