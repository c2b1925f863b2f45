"""What the reliability tests share: a template lab with work in every state, the files
an operation needs, a snapshot of a lab's records, and the schema version 2 that the
migration tests pretend exists.  Imported by the tests and by the fault worker (a
separate process), so it imports nothing from pytest.  The users are those of every test
lab (``support.homes``).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from support.homes import PASSWORDS, create_lab
from support.files import make_pdf

CLIENT = "Fault Line Diamonds"
STATEMENT = "Single-origin KP certificate from Botswana, matched to the rough."

#: The template's stones and what each is waiting for (see ``build_template``).
TO_APPROVE, TO_ISSUE, FOR_EVIDENCE, ISSUED = ("D0000001", "D0000002", "D0000003",
                                              "D0000004")
INTAKE_STONES = 40
IMPORT_STONES = 20
BIG_ATTACHMENT_MB = int(os.environ.get("LABDESK_FAULT_ATTACHMENT_MB", "16"))


def kp_fields(reference: str = "BW-2024-0001") -> dict:
    return {"reference": reference, "issuer": "Botswana Diamond Office",
            "issuing_country": "BW", "issued_on": "2024-02-01",
            "expires_on": "2024-04-01", "origin_countries": ["BW"],
            "origin_type": "single", "weight": "12.500", "value_usd": "15000.00",
            "parcels": 1, "hs_code": "7102.31", "exporter": "Okavango Rough",
            "importer": CLIENT}


def stones(count: int, prefix: str) -> list[dict]:
    return [{"client_ref": f"{prefix}-{i:05d}", "weight": f"{0.3 + i % 700 / 1000:.3f}",
             "shape": "BR", "colour": "F", "clarity": "VS2", "identification": "natural"}
            for i in range(count)]


def make_big_pdf(path: Path, megabytes: int) -> Path:
    """A PDF-looking file of ``megabytes`` MB of random bytes (header and trailer real)."""
    path = Path(path)
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n%scan\n")
        for _ in range(megabytes):
            out.write(os.urandom(1 << 20))
        out.write(b"\ntrailer<<>>\n%%EOF\n")
    return path


def make_packing_list(path: Path, count: int = IMPORT_STONES) -> Path:
    lines = ["Stock #,Weight,Shape,Color,Clarity,Comment"]
    lines += [f"PL-{i:05d},{0.5 + i / 1000:.3f},BR,G,VS1,=HYPERLINK(\"http://x/{i}\")"
              for i in range(count)]
    Path(path).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return Path(path)


def build_template(home: Path, files: Path) -> None:
    """A lab with the four users and a stone waiting for each operation:
    D0000001 proposed (approve), D0000002 approved (issue), D0000003 received (evidence),
    D0000004 reported; one submission-level KP certificate with a scan.  ``files`` gets
    the inputs: big.pdf, packing.csv, small.pdf; then template.zip, a backup."""
    files.mkdir(parents=True, exist_ok=True)
    lab = create_lab(home, lab_name="Fault Lab")
    try:
        lab.login("tech", PASSWORDS["tech"])
        sub = lab.receive(CLIENT, stones(4, "T"), reference="TEMPLATE")
        evidence = lab.add_evidence(sub.number, "kp_certificate", **kp_fields())
        lab.attach(evidence.id, make_pdf(files / "small.pdf"))
        for number in (TO_APPROVE, TO_ISSUE, ISSUED):
            lab.propose_finding(number, "non_russian", mining_country="BW",
                                statement=STATEMENT)
        lab.login("sup1", PASSWORDS["sup1"])
        for number in (TO_ISSUE, ISSUED):
            lab.approve(number, comment="checked", password=PASSWORDS["sup1"])
        lab.issue_report(ISSUED)
        lab.login("admin", PASSWORDS["admin"])
        lab.backup(files / "template.zip")
    finally:
        lab.close()
    make_big_pdf(files / "big.pdf", BIG_ATTACHMENT_MB)
    make_packing_list(files / "packing.csv")


def snapshot(lab) -> tuple:
    """What an operation changes: the audit events and every audited table's row count
    (read by the lab's check, whoever is logged in: often nobody)."""
    result = lab._upkeep.integrity()
    return (result.events, tuple(sorted(result.records.items())))


def stored_files_whole(home: Path) -> list[str]:
    """Problems with files under a final name: a document whose bytes do not hash to its
    name (a partial copy), a report PDF without a readable end."""
    problems = []
    docs = home / "documents"
    for sub in docs.iterdir() if docs.is_dir() else ():
        if sub.is_dir() and len(sub.name) == 2:
            for f in sub.iterdir():
                digest = hashlib.sha256()
                with open(f, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        digest.update(chunk)
                if digest.hexdigest() != f.name:
                    problems.append(f"documents: {f.name} holds other bytes")
    for pdf in sorted((home / "reports").glob("*.pdf")):
        if not pdf.read_bytes().rstrip().endswith(b"%%EOF"):
            problems.append(f"reports: {pdf.name} is cut short")
    return problems


def unrecorded_report_pdfs(lab) -> list[str]:
    """Report PDFs under a report's name (reports/*.pdf) that no record names."""
    numbers = {r.number for r in lab.reports(limit=1000).items}
    return sorted(p.stem for p in (lab.home / "reports").glob("*.pdf")
                  if p.stem not in numbers)


# ----------------------------------------------------------- one schema version more
#: A plausible next migration for the tests: a new table filled from existing rows (data
#: moved in the same transaction), an index, and a new trigger.  It touches no audited
#: table's columns (see test_schema_fixtures for what adding a column would do).
NEXT_SCRIPT = """
CREATE TABLE stone_photos (
    id INTEGER PRIMARY KEY,
    stone_id INTEGER NOT NULL REFERENCES stones(id),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at TEXT NOT NULL
);
CREATE INDEX stone_photos_stone ON stone_photos(stone_id);
CREATE TABLE stone_search_terms (stone_id INTEGER PRIMARY KEY REFERENCES stones(id),
                                 terms TEXT NOT NULL);
INSERT INTO stone_search_terms (stone_id, terms)
    SELECT id, lower(number || ' ' || coalesce(client_ref, '')) FROM stones;
CREATE TRIGGER stone_search_terms_insert AFTER INSERT ON stones BEGIN
    INSERT INTO stone_search_terms (stone_id, terms)
    VALUES (new.id, lower(new.number || ' ' || coalesce(new.client_ref, '')));
END;
"""


@contextlib.contextmanager
def schema_next():
    """The code as if it knew one schema version more (NEXT_SCRIPT)."""
    from labdesk.store import schema
    saved = (schema.MIGRATIONS, schema.LATEST)
    schema.MIGRATIONS = [*saved[0], (saved[1] + 1, NEXT_SCRIPT)]
    schema.LATEST = saved[1] + 1
    try:
        yield
    finally:
        schema.MIGRATIONS, schema.LATEST = saved


def perform(op: str, lab, files: Path) -> None:
    """One of the operations the fault tests kill, on an open lab.  Safe to run again on
    the lab a kill left: the evidence step reuses evidence already recorded."""
    pw = PASSWORDS
    if op == "intake":
        lab.login("tech", pw["tech"])
        lab.receive(CLIENT, stones(INTAKE_STONES, "K"),
                    reference="KILLED")
    elif op == "import":
        lab.login("tech", pw["tech"])
        lab.import_packing_list(files / "packing.csv", "Packing Dealer",
                                reference="KILLED-PL")
    elif op == "evidence":
        lab.login("tech", pw["tech"])
        found = [e for e in lab.stone_detail(FOR_EVIDENCE).evidence
                 if e.fields.get("reference") == "BW-KILLED"]
        evidence = found[0] if found else lab.add_evidence(
            FOR_EVIDENCE, "kp_certificate", **kp_fields("BW-KILLED"))
        if not evidence.attachments:
            lab.attach(evidence.id, files / "big.pdf")
    elif op == "approve":
        lab.login("sup1", pw["sup1"])
        lab.approve(TO_APPROVE, comment="checked", password=pw["sup1"])
    elif op == "issue":
        lab.login("sup1", pw["sup1"])
        lab.issue_report(TO_ISSUE)
    elif op == "backup":
        lab.login("admin", pw["admin"])
        lab.backup(lab.home / "backups" / "killed.zip")
    else:
        raise ValueError(f"no operation {op!r}")
