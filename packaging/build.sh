#!/usr/bin/env bash
# Build the one-folder LabDesk application with PyInstaller (packaging/labdesk.spec) and
# run its --self-test.  Exit 0 only when both succeed.
#
#   PYTHON=/work/venv/bin/python packaging/build.sh
#
# PYTHON must have LabDesk (pip install -e . or the wheel) and PyInstaller installed
# (pip install pyinstaller).  Output: dist/LabDesk/ (and dist/LabDesk.app on macOS); the
# work folder is build/pyinstaller/.  Both are ignored by git.  Linux and macOS shells;
# on Windows run it from Git Bash, or the two commands by hand (packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
DIST="${DIST:-dist}"
WORK="${WORK:-build/pyinstaller}"

"$PYTHON" -c 'import labdesk, PyInstaller' 2>/dev/null || {
    echo "error: $PYTHON lacks labdesk or PyInstaller: pip install -e . pyinstaller" >&2
    exit 2
}
echo "PyInstaller $("$PYTHON" -m PyInstaller --version), $("$PYTHON" -V)"

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/labdesk.spec
seconds=$(( $(date +%s) - start ))

case "$(uname -s)" in
    MINGW*|MSYS*|CYGWIN*) app="$DIST/LabDesk/labdesk-cli.exe" ;;   # the console twin
    *)                    app="$DIST/LabDesk/LabDesk" ;;
esac
size=$(du -sh "$DIST/LabDesk" | cut -f1)
files=$(find "$DIST/LabDesk" -type f | wc -l | tr -d ' ')
echo "built $DIST/LabDesk in ${seconds} s: $size, $files files"

echo "--- $app --version"
"$app" --version
echo "--- $app --self-test"
start=$(date +%s)
# no display needed: the self-test renders offscreen; keep the caller's QT settings out
env -u QT_PLUGIN_PATH -u QT_QPA_PLATFORM_PLUGIN_PATH "$app" --self-test
echo "self-test passed in $(( $(date +%s) - start )) s"
echo "bundle: $DIST/LabDesk ($size); build ${seconds} s"
