"""Reports: signed claims, PDFs with a readable QR code, revocation and verification."""
import base64
import json
import os
import subprocess
import sys

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from labdesk.core import passwords
from labdesk.errors import IntegrityError, PermissionDenied, StateError, ValidationError
from labdesk.lab import Lab
from labdesk.reports import claims, pdf
from labdesk.reports.verification import verify_offline

PASSWORDS = {"admin": "admin-pass-1", "tech": "tech-pass-1", "sup": "super-pass-1",
             "sup2": "super-pass-2"}
LONG_CLIENT = "Société Anonyme des Diamantaires Réunis d'Anvers et de Ramat Gan (Holding)"
LONG_STATEMENT = ("The parcel arrived sealed with its single-origin Kimberley Process "
                  "certificate from Botswana; the client's invoice carries the System of "
                  "Warranties statement and the provenance platform links this polished "
                  "stone to rough from the Jwaneng mine. ") * 3


@pytest.fixture(scope="module")
def template_home(tmp_path_factory):
    """The reports' lab (its letterhead and users); ``lab`` is a fresh copy per test."""
    home = tmp_path_factory.mktemp("reports") / "lab"
    with passwords.fast_hashing():
        lab = Lab.init(home, "Antwerp Origin Laboratory", "admin", PASSWORDS["admin"],
                       "Ada Admin", address="Pelikaanstraat 62\n2018 Antwerpen\nBelgium",
                       accreditation="ISO/IEC 17025 accredited, BELAC 999-TEST",
                       verify_url="https://verify.example.org/lab/")
        lab.add_user("tech", "Tom Technician", "technician", PASSWORDS["tech"])
        lab.add_user("sup", "Sue Supervisor", "supervisor", PASSWORDS["sup"])
        lab.add_user("sup2", "Sam Supervisor", "supervisor", PASSWORDS["sup2"])
        lab.close()
    return home


def approved_stone(lab, **fields):
    lab.login("tech", PASSWORDS["tech"])
    stone = {"weight": "1.016", "shape": "BR", "colour": "F", "clarity": "VS1",
             "cut": "EX", "polish": "EX", "symmetry": "VG", "fluorescence": "NON",
             "measurements": "6.41-6.45x3.95", "identification": "natural",
             "client_ref": "AB-1001", **fields}
    sub = lab.receive(LONG_CLIENT, [stone], reference="PO-77")
    number = sub.stones[0].number
    lab.add_evidence(sub.number, "kp_certificate", reference="BW0012345",
                     issuer="Botswana KP Authority", issuing_country="BW",
                     issued_on="2026-10-01", origin_countries=["BW"], origin_type="single",
                     weight="12.500")
    lab.propose_finding(number, "non_russian", "BW", statement=LONG_STATEMENT)
    lab.login("sup", PASSWORDS["sup"])
    lab.approve(number, "checked against the originals", password=PASSWORDS["sup"])
    return number


def render(path, tmp_path, dpi=150):
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(path), str(prefix)], check=True)
    return sorted(tmp_path.glob("page*.png"))


def test_issue_report_pdf_qr_decodes_and_openssl_verifies(lab, tmp_path):
    number = approved_stone(lab)
    report = lab.issue_report(number)
    assert report.number.startswith("LD") and report.status == "issued"
    assert report.qr_text == f"https://verify.example.org/lab/#{report.token}"
    assert lab.stone(number).state == "reported"

    pages = render(report.pdf_path, tmp_path)
    found = zxingcpp.read_barcodes(Image.open(pages[0]))
    assert [r.text for r in found] == [report.qr_text]

    # An independent implementation checks the signature: openssl with the exported PEM.
    pem = tmp_path / "lab.pem"
    lab.export_public_keys(pem)
    body, signature = report.token[len("LD1."):].split(".")
    pad = lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))  # noqa: E731
    (tmp_path / "claim").write_bytes(pad(body))
    (tmp_path / "sig").write_bytes(pad(signature))
    result = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pem),
                             "-rawin", "-in", str(tmp_path / "claim"), "-sigfile",
                             str(tmp_path / "sig")], capture_output=True, text=True)
    assert result.returncode == 0 and "Signature Verified Successfully" in result.stdout
    (tmp_path / "claim").write_bytes(pad(body).replace(b'"F"', b'"D"'))
    forged = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pem),
                             "-rawin", "-in", str(tmp_path / "claim"), "-sigfile",
                             str(tmp_path / "sig")], capture_output=True, text=True)
    assert forged.returncode != 0


def test_claim_follows_the_wire_format(lab):
    report = lab.issue_report(approved_stone(lab))
    body = report.token.split(".")[1]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    claim = json.loads(raw)
    assert raw == json.dumps(claim, sort_keys=True, separators=(",", ":"),
                             ensure_ascii=False).encode()
    assert claim == {"v": 1, "kid": lab.signing_keys()[0].kid,
                     "lab": "Antwerp Origin Laboratory", "n": report.number,
                     "d": report.issued_at[:10], "w": "1.02", "sh": "round", "col": "F",
                     "cla": "VS1", "id": "N", "o": "NR", "mc": "BW"}
    assert "=" not in report.token
    assert lab.verify(report.token).valid
    assert lab.verify(f"  {report.qr_text}\n").valid


def test_the_pdf_says_what_an_accredited_report_must(lab, tmp_path):
    report = lab.issue_report(approved_stone(lab))
    text = subprocess.run(["pdftotext", "-layout", str(report.pdf_path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for needed in ("Diamond Origin Report", "Antwerp Origin Laboratory", "Pelikaanstraat 62",
                   "ISO/IEC 17025", report.number, "Page 1 of", "End of report",
                   "relate only to the item tested", "reproduced except in full",
                   "Sue Supervisor", "Approval of the origin finding", "Tom Technician",
                   "Not of Russian origin", "Botswana (BW)", "BW0012345", "1.02 ct",
                   "Round brilliant", "6.41 - 6.45 x 3.95 mm", "Method", "Natural"):
        assert needed in flat, needed
    # long values wrap rather than being clipped: every word is on the page
    assert "(Holding)" in flat and LONG_CLIENT.split()[0] in flat
    # reading order (not -layout, which puts the QR caption on the statement's lines)
    reading = subprocess.run(["pdftotext", str(report.pdf_path), "-"], capture_output=True,
                             text=True, check=True).stdout
    assert " ".join(reading.split()).count("Jwaneng mine") == 3
    pages = render(report.pdf_path, tmp_path, dpi=70)
    assert len(pages) <= 2 and f"Page {len(pages)} of {len(pages)}" in flat


def test_same_data_same_bytes(lab):
    report = lab.issue_report(approved_stone(lab))
    data = pdf.ReportData(number="LD26-000009", issued_on="2026-11-29",
                          lab_name="X", qr_text=report.qr_text, stone=[("Carat", "1.00")])
    assert pdf.build(data) == pdf.build(data)


@pytest.mark.parametrize("mangle, status", [
    (lambda t: "", "malformed"),
    (lambda t: "   ", "malformed"),
    (lambda t: t[:40], "malformed"),
    (lambda t: t[:-3], "forged"),
    (lambda t: "LD2." + t[4:], "malformed"),
    (lambda t: "LD1.!!!!.????", "malformed"),
    (lambda t: "LD1." + "A" * 10_000_000, "malformed"),
    (lambda t: t + ".extra", "malformed"),
    (lambda t: "https://evil.example/#" + t.replace("LD1.", "LD1.x"), "malformed"),
])
def test_tampered_tokens_are_not_valid_and_never_raise(lab, mangle, status):
    report = lab.issue_report(approved_stone(lab))
    result = lab.verify(mangle(report.token))
    assert not result.valid and result.status == status and result.problems


def test_every_claim_byte_changed_fails(lab):
    report = lab.issue_report(approved_stone(lab))
    body, sig = report.token[4:].split(".")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    statuses = set()
    for i in range(len(raw)):
        changed = bytearray(raw)
        changed[i] = changed[i] ^ 0x01
        token = "LD1." + claims.b64url(bytes(changed)) + "." + sig
        result = lab.verify(token)
        assert not result.valid, i
        statuses.add(result.status)
    assert statuses <= {"forged", "malformed", "unknown_key"}
    assert "forged" in statuses


def test_another_key_is_unknown_and_a_borrowed_kid_is_forged(lab):
    report = lab.issue_report(approved_stone(lab))
    other = Ed25519PrivateKey.generate()
    claim = dict(report.claim)
    claim["kid"] = claims.key_id(other.public_key())
    assert lab.verify(claims.sign(other, claim)).status == "unknown_key"
    claim = dict(report.claim, col="D")
    assert lab.verify(claims.sign(other, claim)).status == "forged"


def test_revoked_and_superseded(lab):
    number = approved_stone(lab)
    first = lab.issue_report(number)
    lab.login("tech", PASSWORDS["tech"])
    with pytest.raises(PermissionDenied):
        lab.revoke_report(first.number, "clerical error")
    lab.login("sup", PASSWORDS["sup"])
    lab.reopen(number, "colour grade was recorded wrongly")
    assert lab.verify(first.token).status == "superseded"
    lab.login("tech", PASSWORDS["tech"])
    lab.update_stone(number, colour="G")
    lab.propose_finding(number, "non_russian", "BW", statement="corrected colour")
    lab.login("sup2", PASSWORDS["sup2"])
    lab.approve(number, password=PASSWORDS["sup2"])
    second = lab.issue_report(number)
    assert second.supersedes == first.number
    result = lab.verify(first.token)
    assert result.status == "superseded" and result.successor == second.number
    assert second.number in " ".join(result.problems)
    assert lab.report(first.number).superseded_by == second.number
    assert lab.verify(second.token).valid
    lab.revoke_report(second.number, "stone found to be laboratory-grown",
                      password=PASSWORDS["sup2"])
    revoked = lab.verify(second.token)
    assert revoked.status == "revoked" and "laboratory-grown" in revoked.problems[0]
    with pytest.raises(StateError):
        lab.revoke_report(second.number, "again")
    # the signed revocation list tells an offline verifier the same
    keys = {k.kid: __import__("labdesk.reports.keys", fromlist=["x"]).load_public(k.public_pem)
            for k in lab.signing_keys()}
    listing = lab.revocation_list()
    assert verify_offline(second.token, keys, listing).status == "revoked"
    assert verify_offline(first.token, keys, listing).status == "superseded"
    unchecked = verify_offline(second.token, keys, None)
    assert unchecked.valid and not unchecked.revocations_checked
    assert lab.check().ok


def test_nothing_is_issued_without_approval(lab):
    lab.login("tech", PASSWORDS["tech"])
    sub = lab.receive("Client", [{"weight": "0.7", "identification": "natural"}])
    lab.login("sup", PASSWORDS["sup"])
    with pytest.raises(StateError, match="approved"):
        lab.issue_report(sub.stones[0].number)
    assert lab.reports().total == 0


def test_a_technician_issues_reports_only_when_the_lab_says_so(lab):
    number = approved_stone(lab)
    lab.login("tech", PASSWORDS["tech"])
    with pytest.raises(PermissionDenied, match="only a supervisor or an admin may issue a "
                                               "report"):
        lab.issue_report(number)
    assert not lab.stone_detail(number).actions["issue"].allowed
    lab.login("admin", PASSWORDS["admin"])
    lab.update_settings(report_issuers="everyone")
    lab.login("tech", PASSWORDS["tech"])
    assert lab.stone_detail(number).actions["issue"].allowed
    assert lab.issue_report(number).number
    lab.login("admin", PASSWORDS["admin"])
    with pytest.raises(ValidationError, match="neither 'supervisors'"):
        lab.update_settings(report_issuers="tom")


@pytest.mark.parametrize("identification, words", [
    ("simulant", "it is identified as simulant: a report is issued for a natural or "
                 "laboratory-grown diamond"),
    ("refer", "it is identified as refer for further testing"),
    (None, "its identification (natural or laboratory-grown) is not recorded"),
])
def test_a_stone_that_cannot_be_reported_gets_no_finding(lab, identification, words):
    """A finding approved for a stone its report could not print would need a signed
    reopening and a second review (issue 16, item 3): proposing is refused at once."""
    with pytest.raises(StateError, match="cannot be reported, so no finding is proposed"):
        approved_stone(lab, identification=identification)
    number = lab.stones(limit=1).items[0].number
    assert lab.stone(number).state == "received"
    detail = lab.stone_detail(number)
    assert not detail.actions["propose"].allowed and words in detail.actions["propose"].why


def test_key_rotation_keeps_old_reports_verifiable(lab):
    old = lab.issue_report(approved_stone(lab))
    lab.login("admin", PASSWORDS["admin"])
    new_key = lab.rotate_key()
    new = lab.issue_report(approved_stone(lab))
    assert new.kid == new_key.kid != old.kid
    assert lab.verify(old.token).valid and lab.verify(new.token).valid
    pem = lab.export_public_keys()
    assert pem.count("BEGIN PUBLIC KEY") == 2


def test_a_readable_private_key_is_refused(lab):
    number = approved_stone(lab)
    kid = lab.signing_keys()[0].kid
    os.chmod(lab.home / "keys" / f"{kid}.key", 0o644)
    with pytest.raises(IntegrityError, match="chmod 600"):
        lab.issue_report(number)
    assert lab.reports().total == 0 and lab.stone(number).state == "approved"


def test_an_altered_report_pdf_is_found_by_check(lab):
    report = lab.issue_report(approved_stone(lab))
    os.chmod(report.pdf_path, 0o644)
    with open(report.pdf_path, "ab") as fh:
        fh.write(b"% appended\n")
    result = lab.check()
    assert not result.ok
    assert any(report.number in p and "altered" in p for p in result.problems)
    with pytest.raises(IntegrityError):
        lab.report_pdf(report.number)


def test_labels_carry_the_stone_numbers(lab, tmp_path):
    lab.login("tech", PASSWORDS["tech"])
    sub = lab.receive("Label Client", [{"weight": "0.5", "client_ref": f"L{i}"}
                                       for i in range(5)])
    numbers = [s.number for s in sub.stones]
    path = lab.labels_pdf(numbers, tmp_path / "labels.pdf")
    page = render(path, tmp_path, dpi=200)[0]
    found = sorted(r.text for r in zxingcpp.read_barcodes(Image.open(page)))
    assert found == sorted(numbers)


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "labdesk", *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, env=env)


def test_cli_verify_a_pdf_without_a_lab(lab, tmp_path):
    report = lab.issue_report(approved_stone(lab))
    pem = tmp_path / "lab.pem"
    lab.export_public_keys(pem)
    ok = run_cli("verify", str(report.pdf_path), "--public-key", str(pem))
    assert ok.returncode == 3, ok.stderr  # no revocation list: genuine, not checked
    assert ok.stdout.startswith("GENUINE SIGNATURE, REVOCATION NOT CHECKED")
    assert report.number in ok.stdout and "revocation was not checked" in ok.stdout.lower()
    forged = run_cli("verify", report.token.replace("LD1.eyJ", "LD1.eyK"),
                     "--public-key", str(pem))
    assert forged.returncode == 1 and "Not genuine" in forged.stdout
    lab.login("sup", PASSWORDS["sup"])
    lab.revoke_report(report.number, "clerical error")
    listing = tmp_path / "revocations.txt"
    listing.write_text(lab.revocation_list())
    revoked = run_cli("verify", report.qr_text, "--public-key", str(pem), "--revocations",
                      str(listing))
    assert revoked.returncode == 1 and revoked.stdout.startswith("REVOKED")
    missing = run_cli("verify", str(tmp_path / "nothing.png"), "--public-key", str(pem))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_cli_report_issue_and_pdf(lab, tmp_path):
    number = approved_stone(lab)
    home = str(lab.home)
    lab.close()
    env = {**os.environ, "LABDESK_PASSWORD": PASSWORDS["sup"]}
    issued = subprocess.run([sys.executable, "-m", "labdesk", "report", "issue", number,
                             "--home", home, "--user", "sup"], capture_output=True,
                            text=True, env=env, stdin=subprocess.DEVNULL)
    assert issued.returncode == 0, issued.stderr
    report_no = issued.stdout.split()[1]
    out = tmp_path / "copy.pdf"
    copied = run_cli("report", "pdf", report_no, "-o", str(out), "--home", home, "--user",
                     "sup", env=env)
    assert copied.returncode == 0 and out.read_bytes().startswith(b"%PDF")
    checked = run_cli("verify", str(out), "--home", home, "--user", "sup", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_cli_verify_a_photo_of_the_report(lab, tmp_path, suffix):
    """A retailer's photo or scan: the page rendered at 150 dpi, saved as PNG or JPEG."""
    report = lab.issue_report(approved_stone(lab))
    pem = tmp_path / "lab.pem"
    lab.export_public_keys(pem)
    page = render(report.pdf_path, tmp_path)[0]
    photo = tmp_path / f"photo.{suffix}"
    Image.open(page).convert("RGB").save(photo, quality=85)
    result = run_cli("verify", str(photo), "--public-key", str(pem), "--json")
    assert result.returncode == 3, result.stdout + result.stderr  # no revocation list
    data = json.loads(result.stdout)
    assert data["status"] == "genuine_revocation_not_checked"
    assert data["claim"]["n"] == report.number
    blank = tmp_path / f"blank.{suffix}"
    Image.new("RGB", (300, 300), "white").save(blank)
    none = run_cli("verify", str(blank), "--public-key", str(pem))
    assert none.returncode == 2 and "no LabDesk QR code" in none.stderr


def test_check_names_a_private_key_others_can_read(lab):
    kid = lab.signing_keys()[0].kid
    lab.login("admin", PASSWORDS["admin"])
    assert lab.check().ok
    os.chmod(lab.home / "keys" / f"{kid}.key", 0o644)
    problems = lab.check().problems
    assert any(p.startswith("keys:") and "chmod" in p for p in problems), problems


def test_an_altered_copy_keeps_the_signature_and_is_forged(lab):
    report = lab.issue_report(approved_stone(lab))
    copy = claims.altered(report.qr_text, col="D")
    assert copy.startswith("https://verify.example.org/lab/#LD1.")
    assert copy.rsplit(".", 1)[1] == report.token.rsplit(".", 1)[1]
    result = lab.verify(copy)
    assert result.status == "forged" and result.claim["col"] == "D"
    assert lab.verify(claims.altered(report.token)).claim["w"] == "2.02"
