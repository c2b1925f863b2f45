"""The compliance pack's pieces without a lab (issue 17, part 3): the LDP1 digest, the
spreadsheet cells neutralised, and the PDF checked against its signed content."""
from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from labdesk.reports import claims, pack, pack_claims, sheets
from labdesk.reports.claims import canonical_bytes, key_id
from support.pdf_edits import replace_text

CONTENT = {
    "v": 1, "layout": pack.LAYOUT,
    "lab": {"name": "Test Lab", "address": "1 Main St", "accreditation": "ISO 17025"},
    "paper_size": "A4", "submission": "SUB-000009", "client": "Acme",
    "reference": "PO-1", "received": "2026-01-02", "on": "2026-02-03",
    "made_at": "2026-02-03T10:00:00Z", "made_by": "Sue Super",
    "rulesets": ["EU 2026.2", "US 2026.1", "UK 2026.1"],
    "stones": [{"number": f"D{i:07d}", "client_ref": f"R-{i}", "weight": "1.010",
                "identification": "Natural", "finding": "Not of Russian origin (approved)",
                "mining_country": "BW", "report": f"LD26-{i:06d}",
                "report_status": "issued",
                "outcomes": {"EU": "clear", "US": "clear", "UK": "clear"},
                "rulesets": {"EU": "EU 2026.2", "US": "US 2026.1", "UK": "UK 2026.1"},
                "evidence": ["E1"]} for i in range(1, 121)],
    "evidence": [{"ref": "E1", "kind": "Kimberley Process certificate",
                  "reference": "BW-1", "issuer": "BDO", "covers": "SUB-000009",
                  "documents": [{"filename": "kp.pdf", "sha256": "ab" * 32}]}]}


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    key = Ed25519PrivateKey.generate()
    kid = key_id(key.public_key())
    body = pack_claims.claim(kid, "Test Lab", "SUB-000009", "2026-02-03", 120,
                             canonical_bytes(CONTENT))
    token = pack_claims.sign(key, body)
    path = tmp_path_factory.mktemp("pack") / "pack.pdf"
    path.write_bytes(pack.build(CONTENT, token))
    return {kid: key.public_key()}, token, path


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_formula_starts_are_neutralised(text):
    assert sheets.neutralise(text) == "'" + text
    assert sheets.neutralise("a=1") == "a=1" and sheets.neutralise(-1.5) == -1.5
    assert sheets.neutralise(None) == ""


def test_a_multi_page_pack_verifies(signed):
    keys, token, path = signed
    texts = pack.page_texts(path.read_bytes())
    assert len(texts) > 2 and texts[0].startswith("Test Lab")
    assert all(f"Page {n} of {len(texts)}" in t for n, t in enumerate(texts, 1))
    result = pack.verify_pdf(path, keys)
    assert result.valid, result.problems
    assert result.claim["n"] == "120" and result.claim["sub"] == "SUB-000009"


def test_an_edited_line_on_a_later_page_is_refused(signed, tmp_path):
    keys, token, path = signed
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(replace_text(path.read_bytes(), "LD26-000100 (issued)",
                                    "LD26-000100 (issued) "))  # spaces fold: same text
    assert pack.verify_pdf(edited, keys).valid
    edited.write_bytes(replace_text(path.read_bytes(), "LD26-000100 (issued)",
                                    "LD26-000100 (revoked)"))
    result = pack.verify_pdf(edited, keys)
    assert result.status == "altered" and "page 1 " not in result.problems[0]
    assert "'(revoked)' where the lab's reads '(issued)'" in result.problems[0]


def test_the_digest_and_its_refusals(signed):
    keys, token, _path = signed
    assert pack_claims.check(token, keys).valid
    assert pack_claims.check(token, {}).status == "unknown_key"
    assert pack_claims.check("LDP1.abc", keys).status == "malformed"
    assert pack_claims.check(token[:-4], keys).status in ("forged", "malformed")
    assert pack_claims.check("LD1.x.y", keys).status == "malformed"
    body = json.loads(claims.unb64url(token[5:].split(".")[0]))
    assert sorted(body) == sorted(pack_claims.KEYS) and body["v"] == 1
    # a report's verifier never takes a pack digest for a report's token
    assert claims.check_token(token, keys).status == "malformed"


def test_a_pack_without_its_content_is_refused(signed, tmp_path):
    keys, token, _path = signed
    bare = tmp_path / "bare.pdf"
    bare.write_bytes(pack.build_pdf(CONTENT, token))
    result = pack.verify_pdf(bare, keys)
    assert result.status == "altered" and "pack.json" in result.problems[0]
