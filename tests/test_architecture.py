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


# The benchmark's floors: plain sqlite3 on purpose, the yardstick the store is measured by.
SQL_OF_ITS_OWN = {"benchlab.py"}


def test_no_sql_outside_the_store():
    """The UI, the CLI and the facade hold no SQL: every query lives in labdesk/store."""
    offenders = []
    for path in (ROOT / "labdesk").rglob("*.py"):
        where = path.relative_to(ROOT / "labdesk")
        if "store" in where.parts or where.as_posix() in SQL_OF_ITS_OWN:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if SQL.search(node.value):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_no_utils_modules():
    names = {p.stem for p in (ROOT / "labdesk").rglob("*.py")}
    assert not names & {"utils", "helpers", "misc", "common"}


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _underscore_imports(here: str, source: str, modules: set[str]) -> list[str]:
    """Where the module ``here`` (its text: ``source``) takes another module's underscore
    name: ``from m import _x``, ``m._x`` on an imported module ``m``, or a private module
    ``_m`` from outside the package that holds it.  ``modules``: every module's name."""
    is_package = any(m.startswith(here + ".") for m in modules)
    package = here if is_package else here.rpartition(".")[0]
    tree = ast.parse(source)
    found, bound = [], {}  # bound: local name -> the module it names

    def private_module(dotted: str) -> bool:
        parts = dotted.split(".")
        return any(_private(part) and not (package + ".").startswith(
            ".".join(parts[:i]) + ".") for i, part in enumerate(parts))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules or alias.name.split(".")[0] == "labdesk":
                    if private_module(alias.name):
                        found.append(f"{here}:{node.lineno} imports {alias.name}")
                    bound[alias.asname or alias.name.split(".")[0]] = \
                        alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                if node.level else []
            origin = ".".join(base + ([node.module] if node.module else []))
            if origin.split(".")[0] != "labdesk":
                continue
            if private_module(origin):
                found.append(f"{here}:{node.lineno} imports from {origin}")
            for alias in node.names:
                target = f"{origin}.{alias.name}"
                if target in modules:
                    bound[alias.asname or alias.name] = target
                    if private_module(target):
                        found.append(f"{here}:{node.lineno} imports {target}")
                elif _private(alias.name):
                    found.append(f"{here}:{node.lineno} imports {alias.name} from "
                                 f"{origin}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            chain, value = [], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                owner = ".".join([bound[value.id], *reversed(chain)])
                if owner in modules and owner != here:
                    found.append(f"{here}:{node.lineno} uses {owner}.{node.attr}")
    return found


def test_no_module_imports_another_modules_underscore_name():
    """An underscore name is its module's own: others use public names (design.md)."""
    paths = sorted((ROOT / "labdesk").rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    offenders = [found for p in paths
                 for found in _underscore_imports(_module_name(p), p.read_text(), modules)]
    assert not offenders, offenders


def test_the_underscore_check_sees_each_way_of_taking_a_private_name():
    modules = {"labdesk", "labdesk.store", "labdesk.store.documents", "labdesk.store.probe",
               "labdesk.store._private", "labdesk.lab", "labdesk.lab._shared"}
    source = ("import labdesk.store.documents\n"
              "from labdesk.store import documents as docs\n"
              "from labdesk.store.documents import _fsync_dir, DocumentStore\n"
              "from labdesk.store import _private\n"
              "from labdesk.lab import _shared\n"
              "labdesk.store.documents._unlink_quietly('x')\n"
              "docs._pid_alive(1)\n"
              "docs.DocumentStore(None)._root\n")
    assert _underscore_imports("labdesk.store.probe", source, modules) == [
        "labdesk.store.probe:3 imports _fsync_dir from labdesk.store.documents",
        "labdesk.store.probe:5 imports labdesk.lab._shared",
        "labdesk.store.probe:6 uses labdesk.store.documents._unlink_quietly",
        "labdesk.store.probe:7 uses labdesk.store.documents._pid_alive"]
