"""The demo lab: an admin, a technician and two supervisors, two clients, thirty stones in
every workflow state, evidence of every kind with real scanned-looking documents (PDFs
and images made here), issued reports, one revoked and one superseded."""
from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
from pathlib import Path

from labdesk.lab import Lab

DEMO_USERS = {
    "ada": ("Ada Okafor", "admin", "demo-admin-1"),
    "tom": ("Tom Becker", "technician", "demo-tech-1"),
    "sue": ("Sue Marchetti", "supervisor", "demo-super-1"),
    "sam": ("Sam Okoro", "supervisor", "demo-super-2"),
}
CLIENTS = (("Antwerp Brilliant Trading NV", "Hoveniersstraat 2, 2018 Antwerpen, Belgium",
            "orders@antwerp-brilliant.example"),
           ("Gaborone Polished (Pty) Ltd", "Plot 113, Gaborone, Botswana",
            "+267 390 0000"))
SHAPES = ("round", "oval", "pear", "cushion", "emerald", "princess", "marquise", "heart",
          "radiant", "asscher")
COLOURS = "DEFGHIJK"
CLARITIES = ("IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2")


#: The demo lab's name (how `labdesk demo` knows a home holds the demo, not a real lab).
DEMO_LAB_NAME = "LabDesk Demo Gemmological Laboratory"

def _kp_pdf(path: Path, number: str, country: str, carats: str, issued: str) -> Path:
    """A one-page PDF that looks like a scanned Kimberley Process certificate."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(path), pagesize=A5, invariant=True)
    w, h = A5
    c.setTitle(f"KP certificate {number}")
    c.rect(20, 20, w - 40, h - 40)
    c.setFont("Helvetica-Bold", 14)
    c.drawCentredString(w / 2, h - 60, "KIMBERLEY PROCESS CERTIFICATE")
    c.setFont("Helvetica", 10)
    rows = (("Certificate No.", number), ("Country of origin", country),
            ("Carat weight", carats), ("HS code", "7102.10"), ("Date of issue", issued),
            ("Validity", "60 days from issue"))
    for i, (label, value) in enumerate(rows):
        c.drawString(40, h - 110 - i * 22, label)
        c.drawString(170, h - 110 - i * 22, value)
    c.drawString(40, 60, "Validated by the exporting authority (demo document)")
    c.save()
    return path


def _scan_png(path: Path, title: str, lines: list[str]) -> Path:
    """A greyish 'scan' of an invoice or declaration, as a PNG."""
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (620, 820), (246, 244, 238))
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, 600, 800), outline=(60, 60, 60), width=2)
    draw.text((40, 40), title, fill=(20, 20, 20))
    for i, line in enumerate(lines):
        draw.text((40, 90 + i * 26), line, fill=(40, 40, 40))
    buffer = io.BytesIO()
    img.save(buffer, "PNG", optimize=True)
    path.write_bytes(buffer.getvalue())
    return path


def build_demo(home, seed: int = 7) -> Lab:
    """Create the demo lab in ``home``; returns it open (logged out)."""
    rng = random.Random(seed)
    lab = Lab.init(home, lab_name=DEMO_LAB_NAME,
                   admin_username="ada", admin_password=DEMO_USERS["ada"][2],
                   admin_name=DEMO_USERS["ada"][0],
                   address="Pelikaanstraat 62\n2018 Antwerpen\nBelgium",
                   accreditation="Demo only: not an accredited laboratory",
                   report_prefix="LD", verify_url="https://verify.labdesk.example/")
    for username, (full_name, role, password) in DEMO_USERS.items():
        if role != "admin":
            lab.add_user(username, full_name, role, password)
    for name, address, contact in CLIENTS:
        lab.add_client(name, address, contact)
    lab.login("tom", DEMO_USERS["tom"][2])
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        submissions = []
        for s, (client, _a, _c) in enumerate(CLIENTS * 2):
            stones = []
            for i in range(rng.choice((6, 7, 8))):
                weight = rng.choice((0.31, 0.45, 0.5, 0.72, 1.01, 1.5, 2.03)) + \
                    rng.randint(0, 9) / 1000
                shape = rng.choice(SHAPES)
                stones.append({
                    "client_ref": f"{'AB' if s % 2 == 0 else 'GP'}-{1000 + s * 10 + i}",
                    "weight": f"{weight:.3f}", "shape": shape,
                    "colour": rng.choice(COLOURS), "clarity": rng.choice(CLARITIES),
                    "cut": "excellent" if shape == "round" else None,
                    "polish": rng.choice(("excellent", "very_good")),
                    "symmetry": rng.choice(("excellent", "very_good", "good")),
                    "fluorescence": rng.choice(("none", "faint", "medium")),
                    "identification": "laboratory_grown" if i == 5 else "natural",
                    "growth_method": "CVD" if i == 5 else None,
                })
            received = dt.datetime.combine(today - dt.timedelta(days=20 - s * 4),
                                           dt.time(9 + s, 15), dt.timezone.utc)
            submissions.append(lab.receive(client, stones, reference=f"PO-2026-{41 + s}",
                                           received_at=received,
                                           declared_count=len(stones)))
        kinds = ("kp_certificate", "g7_certificate", "sow_invoice", "non_russian_declaration",
                 "provenance_record", "grandfathering_proof", "lab_analysis", "other")
        for s, sub in enumerate(submissions):
            issued = (today - dt.timedelta(days=40 + s)).isoformat()
            country = ("BW", "ZA", "CA", "NA")[s]
            parcel = lab.add_evidence(
                sub.number, "kp_certificate", reference=f"{country}{202600 + s * 17}",
                issuer=f"{country} Kimberley Process Authority", issuing_country=country,
                issued_on=issued, expires_on=(today + dt.timedelta(days=20)).isoformat(),
                origin_countries=[country], origin_type="single",
                weight=f"{float(sub.total_weight) * 3:.3f}", value_usd="185000.00",
                parcels=1, hs_code="7102.10", exporter="Demo Mining Exports",
                importer=sub.client)
            lab.attach(parcel.id, _kp_pdf(tmpdir / f"kp-{s}.pdf", parcel.reference, country,
                                          sub.total_weight, issued))
            for i, stone in enumerate(sub.stones):
                kind = kinds[(s * 3 + i) % len(kinds)]
                fields = _evidence_fields(kind, stone, country, today, i)
                ev = lab.add_evidence(stone.number, kind, **fields)
                if i % 2 == 0:
                    lab.attach(ev.id, _scan_png(
                        tmpdir / f"{stone.number}-{kind}.png", kind.replace("_", " ").upper(),
                        [f"{k}: {v}" for k, v in fields.items()]))
        _advance_states(lab, submissions)
    lab.logout()
    return lab


def _evidence_fields(kind, stone, country, today, i) -> dict:
    ref = f"{kind[:3].upper()}-{stone.number[-4:]}"
    common = {"reference": ref, "issued_on": (today - dt.timedelta(days=30)).isoformat()}
    if kind in ("kp_certificate", "g7_certificate"):
        return {**common, "issuer": "Antwerp entry node" if kind == "g7_certificate"
                else f"{country} KP Authority", "issuing_country": "BE"
                if kind == "g7_certificate" else country, "origin_countries": [country],
                "origin_type": "single", "weight": stone.weight}
    if kind == "sow_invoice":
        return {**common, "seller": "Gaborone Polished (Pty) Ltd",
                "buyer": "Antwerp Brilliant Trading NV", "sow_statement": True,
                "weight": stone.weight, "value_usd": "8450.00"}
    if kind == "non_russian_declaration":
        return {**common, "seller": stone.client, "origin_countries": [country],
                "notes": "Not mined, extracted, produced or manufactured wholly or in part "
                         "in the Russian Federation."}
    if kind == "provenance_record":
        return {**common, "platform": ("Tracr", "Sarine", "Everledger")[i % 3],
                "origin_countries": [country], "weight": stone.weight}
    if kind == "grandfathering_proof":
        return {**common, "outside_russia_since": "2023-06-30",
                "notes": "Bill of lading dated 2023-06-30, Antwerp"}
    if kind == "lab_analysis":
        return {**common, "issuer": "Demo spectroscopy lab",
                "notes": "Type IIa, no Russian-type features"}
    return {**common, "notes": "Client's covering letter"}


def _advance_states(lab: Lab, submissions) -> None:
    """Leave stones in every state: received, proposed, rejected, approved."""
    stones = [s for sub in submissions for s in sub.stones]
    plan = (["received"] * 6 + ["proposed"] * 7 + ["rejected"] * 4 + ["approved"] * 6
            + ["reported"] * 7)
    for stone, state in zip(stones, plan):
        if state == "received":
            continue
        lab.login("tom", DEMO_USERS["tom"][2])
        lab.update_stone(stone.number, measurements="6.41 - 6.45 x 3.95",
                         notes="Graded under daylight-equivalent lamp")
        lab.propose_finding(stone.number, "non_russian",
                            mining_country=_mining_country(lab, stone.number),
                            statement="Single-origin KP certificate of the parcel and "
                                      "stone-level evidence name a non-Russian mine.")
        if state == "proposed":
            continue
        lab.login("sue", DEMO_USERS["sue"][2])
        if state == "rejected":
            lab.reject(stone.number, "The stone-level document does not name the stone's "
                                     "weight; ask the client for the invoice.")
        else:
            lab.approve(stone.number, comment="Evidence checked against the originals.")
        if state == "reported":
            lab.issue_report(stone.number)
    _withdraw_some(lab, [s for s, state in zip(stones, plan) if state == "reported"])


def _withdraw_some(lab: Lab, reported) -> None:
    """One report revoked, one superseded by a corrected report: what verifiers meet."""
    if len(reported) < 2:
        return
    lab.login("sue", DEMO_USERS["sue"][2])
    revoked = lab.reports(stone_no=reported[0].number).items[0]
    lab.revoke_report(revoked.number, "Clerical error: the client reference was wrong.")
    corrected = reported[1].number
    lab.reopen(corrected, "Clarity regraded after re-cleaning the stone.")
    lab.login("tom", DEMO_USERS["tom"][2])
    lab.update_stone(corrected, clarity="VS2")
    lab.propose_finding(corrected, "non_russian", _mining_country(lab, corrected),
                        statement="Unchanged evidence; clarity corrected to VS2.")
    lab.login("sam", DEMO_USERS["sam"][2])
    lab.approve(corrected, comment="Regrade confirmed.")
    lab.issue_report(corrected)


def _mining_country(lab: Lab, stone_no: str) -> str:
    for ev in lab.stone_detail(stone_no).evidence:
        if ev.kind == "kp_certificate" and ev.origin_countries:
            return ev.origin_countries[0]
    return "BW"
