"""Issue 17, returns: the receipt the collector signs (labdesk.reports.receipt) carries
the lab's letterhead, the receipt's number and moment, who collected and the identity
document seen, every stone with its weight and report (or "returned ungraded"), the
total, and signature lines; a long list runs over pages with its heading repeated; the
same return gives the same bytes."""
import subprocess

from labdesk.reports import receipt

STONES = [receipt.ReceiptStone(number=f"D{n:07d}", client_ref=f"AC-{n:03d}",
                               weight="0.512", report=f"LD26-{n:06d}" if n % 2 else
                               "Returned ungraded (no report)") for n in range(1, 81)]


def _data(stones=STONES, **overrides):
    values = dict(number="RET-000007", returned_at="2026-11-29T10:15:02.123456Z",
                  returned_on="2026-11-29 10:15 UTC", lab_name="Antwerp Gem Lab",
                  lab_address="1 Hoveniersstraat\n2018 Antwerp",
                  accreditation="ISO/IEC 17025, BELAC 123-TEST", client="Acme Diamonds",
                  submissions="SUB-000003", collected_by="Zoë Peeters",
                  id_document="Belgian ID 591-1234567-89", note="collected in person",
                  staff="Tom Tech", signed="signed electronically as tom",
                  total_weight="40.960", stones=stones)
    values.update(overrides)
    return receipt.ReceiptData(**values)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_receipt_lists_every_stone_and_the_signature_lines(tmp_path):
    pdf = receipt.build(_data())
    text = _text(pdf, tmp_path)
    for expected in ("Antwerp Gem Lab", "1 Hoveniersstraat", "BELAC 123-TEST",
                     "Receipt for stones returned", "Receipt RET-000007",
                     "2026-11-29 10:15 UTC", "Acme Diamonds", "Zoë Peeters",
                     "Belgian ID 591-1234567-89", "collected in person",
                     "Signature of the collector", "Signature for the lab",
                     "Name: Tom Tech", "Total", "40.960", "Stones returned (80)"):
        assert expected in text, expected
    for stone in STONES:
        assert stone.number in text and stone.client_ref in text
    assert text.count("LD26-0000") == 40 and text.count("Returned ungraded") == 40
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert all("Stone" in p and "Weight (ct)" in p for p in pages if "D00000" in p)
    assert b"/CreationDate (D:20261129101502Z" in pdf.replace(b"+00'00'", b"")


def test_the_same_return_gives_the_same_bytes():
    assert receipt.build(_data()) == receipt.build(_data())
    assert receipt.build(_data()) != receipt.build(_data(collected_by="Someone Else"))


def test_a_receipt_without_an_identity_document_says_so(tmp_path):
    text = _text(receipt.build(_data(stones=STONES[:1], id_document="", note="")),
                 tmp_path)
    assert "none recorded" in text and "Note" not in text
