"""The retailer's verification page: a static folder to put at the lab's verify URL.

    index.html        one self-contained file (no external script, font or CDN) that
                      checks the token in its #fragment with WebCrypto Ed25519, the lab's
                      public keys written into it
    revocations.txt   the signed list of withdrawn reports (re-published each time)
    keys.json, keys.pem   the same public keys, for anyone's own tools
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from labdesk.reports.claims import b64url
from labdesk.reports.keys import load_public
from labdesk.store.disk import write_atomically

_MARK = "/*LABDESK_CONFIG*/"


def _template() -> str:
    return (resources.files("labdesk.resources") / "verify" / "index.html").read_text(
        encoding="utf-8")


def page(lab_name: str, public_pems: dict[str, str]) -> str:
    """index.html with the lab's name and keys (raw, base64url) written in."""
    keys = {}
    for kid, pem in public_pems.items():
        raw = load_public(pem).public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        keys[kid] = b64url(raw)
    config = json.dumps({"lab": lab_name, "keys": keys}, sort_keys=True)
    config = config.replace("<", "\\u003c")  # no "</script>" can close the script early
    template = _template()
    head, _, tail = template.partition(_MARK)
    tail = tail[tail.index(";"):]  # drop the placeholder's default value
    return head + config + tail


def publish(outdir: Path, lab_name: str, public_pems: dict[str, str],
            revocations: str) -> list[Path]:
    """Write the site into ``outdir``; returns the files written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files = {
        "index.html": page(lab_name, public_pems).encode("utf-8"),
        "revocations.txt": (revocations + "\n").encode("ascii"),
        "keys.json": json.dumps({"lab": lab_name, "keys": public_pems}, indent=1,
                                sort_keys=True).encode(),
        "keys.pem": "".join(public_pems.values()).encode(),
    }
    written = []
    for name, data in files.items():
        write_atomically(outdir / name, data, mode=0o644)
        written.append(outdir / name)
    return written
