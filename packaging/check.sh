#!/usr/bin/env bash
# Packaging checks that need no PyInstaller (about 45 s on 2 cores):
#   1. the .desktop file and the AppStream metainfo validate (desktop-file-validate,
#      appstreamcli: Debian packages desktop-file-utils and appstream), also as installed
#      by packaging/linux/install.sh; the icon exists at every size;
#   2. the wheel, built from a copy of this checkout and installed with its dependencies
#      into a fresh virtual environment, runs from a folder outside the source tree:
#      `labdesk demo --no-gui`, `labdesk report issue`, `labdesk verify` on the PDF, and
#      `python -m labdesk.selftest` (the bundle's --self-test, from the wheel).
#
#   PYTHON=/work/venv/bin/python packaging/check.sh        # PYTHON: 3.11+, with pip
#
# tests/packaging/ checks the same from pytest.  The PyInstaller bundle: packaging/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PYTHON="${PYTHON:-python3}"
APP_ID=io.labdesk.LabDesk
TMP="$(mktemp -d "${TMPDIR:-/tmp}/labdesk-check.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
step() { echo; echo "== $*"; }
started=$(date +%s)

step "desktop file and AppStream metainfo"
for t in desktop-file-validate appstreamcli; do
    command -v "$t" >/dev/null || { echo "error: $t missing: apt-get install" \
        "desktop-file-utils appstream" >&2; exit 2; }
done
out="$(desktop-file-validate "packaging/linux/$APP_ID.desktop")"
[ -z "$out" ] || { echo "$out"; exit 1; }          # hints and warnings count too
echo "desktop-file-validate: clean"
appstreamcli validate --no-net "packaging/linux/$APP_ID.metainfo.xml"
DESTDIR="$TMP/stage" PREFIX=/usr packaging/linux/install.sh >/dev/null
appstreamcli validate-tree --no-net "$TMP/stage"

step "icons"
"$PYTHON" - <<'PY'
import struct
from pathlib import Path
for size in (16, 24, 32, 48, 64, 128, 256, 512):
    data = Path(f"resources/icons/labdesk-{size}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", size
    assert struct.unpack(">II", data[16:24]) == (size, size), size
assert Path("resources/icons/labdesk.svg").read_text().lstrip().startswith("<?xml")
assert Path("resources/icons/labdesk.ico").read_bytes()[:4] == b"\0\0\1\0"
print("labdesk.svg, labdesk.ico and PNGs at 16 ... 512 px")
PY

step "wheel"
t0=$(date +%s)
mkdir -p "$TMP/src"
# a copy of the checkout without VCS, environments, build output and caches, so the build
# never writes into the source tree
tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude=./venv --exclude=./build \
    --exclude=./dist --exclude=./out --exclude=./tests --exclude=./docs \
    --exclude='*.egg-info' --exclude=__pycache__ --exclude='./.*cache' \
    --exclude=./.hypothesis -cf - . | tar -C "$TMP/src" -xf -
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$TMP/dist" "$TMP/src"
wheel="$(ls "$TMP"/dist/labdesk-*.whl)"
echo "built $(basename "$wheel") ($(( $(date +%s) - t0 )) s)"
"$PYTHON" - "$wheel" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = {"labdesk/resources/rulesets/eu.toml", "labdesk/resources/rulesets/us.toml",
        "labdesk/resources/rulesets/uk.toml", "labdesk/resources/verify/index.html",
        "labdesk/resources/icons/labdesk.svg", "labdesk/resources/icons/labdesk-256.png",
        "labdesk/ui/views/__init__.py", "labdesk/selftest.py"}
missing = sorted(need - names)
assert not missing, f"missing from the wheel: {missing}"
print(f"the wheel holds the rulesets, the verify page and the icons ({len(names)} files)")
PY

t0=$(date +%s)
"$PYTHON" -m venv "$TMP/venv"
if [ -x "$TMP/venv/bin/python" ]; then BIN="$TMP/venv/bin"; else BIN="$TMP/venv/Scripts"; fi
PIP_DISABLE_PIP_VERSION_CHECK=1 "$BIN/python" -m pip install --quiet "$wheel"
echo "installed into a fresh venv with its dependencies ($(( $(date +%s) - t0 )) s)"

step "the installed labdesk, run outside the source tree"
mkdir "$TMP/work" && cd "$TMP/work"
unset PYTHONPATH LABDESK_HOME LABDESK_USER LABDESK_PASSWORD VIRTUAL_ENV
export QT_QPA_PLATFORM=offscreen
"$BIN/python" -c 'import labdesk, sys; p = labdesk.__file__; print("labdesk from", p);
sys.exit(0 if p.startswith(sys.prefix) else "labdesk is not the installed wheel")'
"$BIN/labdesk" demo --no-gui --home lab
stone="$("$BIN/python" -c 'from labdesk.lab import Lab
print(Lab.open("lab").stones(state="approved", limit=1).items[0].number)')"
password="$("$BIN/python" -c 'from labdesk.demo import DEMO_USERS
print(DEMO_USERS["sue"][2])')"
issued="$(LABDESK_PASSWORD="$password" "$BIN/labdesk" report issue "$stone" --home lab \
    --user sue)"
echo "${issued%%$'\n'*}"
pdf="$(sed -n 's/^issued [^ ]* for [^ ]*: \(.*\.pdf\)$/\1/p' <<<"$issued")"
verified="$("$BIN/labdesk" verify "$pdf" --home lab)"       # exit 1: not genuine
echo "${verified%%$'\n'*}"
"$BIN/python" -m labdesk.selftest

echo
echo "packaging checks passed in $(( $(date +%s) - started )) s"
