#!/usr/bin/env bash
# Render resources/icons/labdesk.svg to the PNGs shipped beside it (16 ... 512 px) and to
# labdesk.ico (Windows: the PyInstaller bundle's executable icon).  The PNGs and the .ico
# are committed; re-run this after editing the SVG.
#
# Needs rsvg-convert (Debian: librsvg2-bin) or cairosvg (pip install cairosvg), and Pillow
# for the .ico (any LabDesk environment has it: reportlab depends on it).
#   PYTHON=/path/to/python packaging/make_icons.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
svg=resources/icons/labdesk.svg
sizes="16 24 32 48 64 128 256 512"

for size in $sizes; do
    out="resources/icons/labdesk-$size.png"
    if command -v rsvg-convert >/dev/null 2>&1; then
        rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$svg" -o "$out"
    else
        "$PYTHON" -c 'import sys, cairosvg
cairosvg.svg2png(url=sys.argv[1], write_to=sys.argv[2],
                 output_width=int(sys.argv[3]), output_height=int(sys.argv[3]))' \
            "$svg" "$out" "$size"
    fi
    echo "wrote $out"
done

# Windows icon: the rendered PNGs themselves (not one image scaled down by Pillow).
"$PYTHON" - <<'PY'
from PIL import Image
sizes = (16, 24, 32, 48, 64, 128, 256)
images = [Image.open(f"resources/icons/labdesk-{s}.png").convert("RGBA") for s in sizes]
images[-1].save("resources/icons/labdesk.ico", format="ICO",
                sizes=[(s, s) for s in sizes], append_images=images[:-1])
print("wrote resources/icons/labdesk.ico")
PY
