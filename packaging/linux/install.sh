#!/usr/bin/env bash
# Install LabDesk's desktop integration on Linux: the .desktop file, the AppStream
# metainfo and the icon (SVG and PNGs) into the hicolor theme; with --bundle, also the
# PyInstaller bundle (dist/LabDesk) into PREFIX/lib/labdesk with PREFIX/bin/labdesk.
#
#   sudo packaging/linux/install.sh --bundle dist/LabDesk            # PREFIX=/usr/local
#   PREFIX=~/.local packaging/linux/install.sh                       # one user; after pip
#   DESTDIR=/tmp/stage PREFIX=/usr packaging/linux/install.sh        # a package's tree
#
# The .desktop file runs `labdesk`: the bundle's link, or pip's script on the PATH.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
APP_ID=io.labdesk.LabDesk
BUNDLE=""
if [ "${1:-}" = "--bundle" ]; then
    BUNDLE="${2:?--bundle needs the bundle folder, such as dist/LabDesk}"
    [ -x "$BUNDLE/LabDesk" ] || { echo "error: no $BUNDLE/LabDesk" >&2; exit 2; }
fi

share="$DESTDIR$PREFIX/share"
install -D -m 644 "$HERE/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 "$ROOT/resources/icons/labdesk.svg" \
    "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 24 32 48 64 128 256 512; do
    install -D -m 644 "$ROOT/resources/icons/labdesk-$size.png" \
        "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done

if [ -n "$BUNDLE" ]; then
    lib="$DESTDIR$PREFIX/lib/labdesk"
    rm -rf "$lib"
    mkdir -p "$lib" "$DESTDIR$PREFIX/bin"
    cp -a "$BUNDLE/." "$lib/"
    ln -sf "$PREFIX/lib/labdesk/LabDesk" "$DESTDIR$PREFIX/bin/labdesk"
fi

if [ -z "$DESTDIR" ]; then      # refresh the menus and icon caches when they exist
    command -v update-desktop-database >/dev/null 2>&1 \
        && update-desktop-database -q "$share/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 \
        && gtk-update-icon-cache -q -t "$share/icons/hicolor" || true
fi
echo "installed LabDesk's desktop entry, metainfo and icons under $DESTDIR$PREFIX" \
     "${BUNDLE:+and the application in $DESTDIR$PREFIX/lib/labdesk}"
