"""Linux desktop integration: the .desktop file and the AppStream metainfo pass the
freedesktop validators (Debian: desktop-file-utils, appstream; the tests skip without
them), agree with each other and with the version, and the icon exists at every size."""
from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import labdesk

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.labdesk.LabDesk"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install desktop-file-utils "
                    f"appstream)")
    return path


def test_desktop_file_validates():
    done = subprocess.run([tool("desktop-file-validate"), str(DESKTOP)],
                          capture_output=True, text=True, check=False)
    # it prints errors, warnings and hints; a clean file prints nothing
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_validates():
    done = subprocess.run([tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "W:" not in done.stdout and "E:" not in done.stdout, done.stdout


@pytest.mark.skipif(os.name == "nt", reason="install.sh is a POSIX shell script")
def test_installed_tree_validates(tmp_path):
    """install.sh lays out a tree in which AppStream finds the desktop file and icons."""
    appstreamcli = tool("appstreamcli")
    subprocess.run([str(LINUX / "install.sh")], check=True, capture_output=True,
                   env={**os.environ, "DESTDIR": str(tmp_path), "PREFIX": "/usr"})
    share = tmp_path / "usr" / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" /
                f"{APP_ID}.png").is_file()
    done = subprocess.run([appstreamcli, "validate-tree", "--no-net", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_desktop_file_and_metainfo_agree():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Icon"] == APP_ID
    assert desktop["Exec"].split()[0] == "labdesk"      # pip's script, or the bundle's link
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "labdesk"
    assert component.find("content_rating").get("type") == "oars-1.1"
    assert len(component.findall("screenshots/screenshot")) >= 1
    # each screenshot is one of the README's pictures (published under the same name)
    for image in component.iterfind("screenshots/screenshot/image"):
        name = image.text.rsplit("/", 1)[-1]
        assert (ROOT / "docs" / "screenshots" / name).is_file(), name
    # a release entry for the version being shipped: bump both together
    versions = [r.get("version") for r in component.iterfind("releases/release")]
    assert labdesk.__version__ in versions, \
        f"add a <release version=\"{labdesk.__version__}\"> to {METAINFO.name}"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def test_icon_at_every_size():
    svg = ET.parse(ICONS / "labdesk.svg").getroot()
    assert svg.get("viewBox") == "0 0 512 512"
    for size in SIZES:
        assert _png_size(ICONS / f"labdesk-{size}.png") == (size, size)
    assert (ICONS / "labdesk.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"   # Windows
