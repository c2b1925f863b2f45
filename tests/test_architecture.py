"""House rules from design.md, checked on every run."""
import ast
import pathlib
import re
import subprocess
import sys

SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\[?\w+\]?\s+SET|"
                 r"DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|PRAGMA\s)", re.S)
ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    """core, store, reports and lab.py never import Qt (contracts in pyproject.toml)."""
    lint = pathlib.Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout


def test_no_sql_outside_the_store():
    """The UI, the CLI and the facade hold no SQL: every query lives in labdesk/store."""
    offenders = []
    for path in (ROOT / "labdesk").rglob("*.py"):
        if "store" in path.relative_to(ROOT / "labdesk").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if SQL.search(node.value):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_no_utils_modules():
    names = {p.stem for p in (ROOT / "labdesk").rglob("*.py")}
    assert not names & {"utils", "helpers", "misc", "common"}
