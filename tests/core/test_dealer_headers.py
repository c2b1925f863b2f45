"""Issue 16, items 9 and 13: the dealers' usual header spellings are read (the earlier
grading report and the declared origin among them), and a file that is plainly no
spreadsheet (a PDF, an image, an archive) is named for what it is."""
from __future__ import annotations

import io
import zipfile

import pytest
from reportlab.pdfgen import canvas

from labdesk.core.packing_list import read_packing_list_bytes
from labdesk.errors import ValidationError


def _read(header: list[str], row: list[str]):
    text = ",".join(header) + "\n" + ",".join(row) + "\n"
    return read_packing_list_bytes(text.encode(), "dealer.csv")


@pytest.mark.parametrize("weight", ["Weight/Carat", "Carat Weight", "Cts.", "WEIGHT / CARAT"])
def test_the_usual_weight_headers_are_the_weight(weight):
    result = _read(["Stock #", weight], ["A1", "1.16"])
    assert result.columns == {"Stock #": "client_ref", weight: "weight"}
    assert result.stones == [{"client_ref": "A1", "weight": "1.160"}]


@pytest.mark.parametrize("lab, cert", [("Lab", "Cert #"), ("Lab", "Certificate #"),
                                       ("Lab", "Report No"), ("Grading Lab", "Cert No.")])
def test_the_earlier_lab_and_its_certificate_number_are_kept(lab, cert):
    result = _read(["Stock #", "Weight", lab, cert], ["A1", "1.01", "GIA", "2141438167"])
    assert result.left_out == []
    assert result.stones[0]["earlier_lab"] == "GIA"
    assert result.stones[0]["earlier_report"] == "2141438167"


@pytest.mark.parametrize("origin", ["Origin", "Country", "Origin/Country",
                                    "Country of Origin"])
def test_the_declared_origin_headers(origin):
    result = _read(["Stock #", "Weight", origin], ["A1", "0.50", "Botswana"])
    assert result.left_out == []
    assert result.stones[0]["declared_origin"] == "Botswana"


def test_the_issues_dealer_list_is_read_whole():
    """The list of the report: Weight/Carat refused, Lab, Cert # and Origin/Country
    left out; now every column is read."""
    result = _read(["Stock #", "Shape", "Weight/Carat", "Color", "Clarity", "Lab",
                    "Cert #", "Origin/Country"],
                   ["BW-1", "RB", "1.02", "F", "VS1", "HRD", "220000123456", "BW"])
    assert result.left_out == []
    assert result.stones[0] == {
        "client_ref": "BW-1", "shape": "round", "weight": "1.020", "colour": "F",
        "clarity": "VS1", "earlier_lab": "HRD", "earlier_report": "220000123456",
        "declared_origin": "BW"}


def test_a_second_certificate_column_is_named_as_a_problem():
    with pytest.raises(ValidationError) as caught:
        _read(["Stock #", "Weight", "Cert #", "Report No"], ["A1", "1", "1", "2"])
    assert "a second certificate number column: 'Cert #' is already read" in str(caught.value)


# -- item 13: what the file is, when it is no spreadsheet --------------------------------
def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)   # an ASCII-only PDF: once read as a CSV file
    page.drawString(72, 720, "Packing list")
    page.save()
    return out.getvalue()


def _zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize("data, words", [
    (_pdf(), "this is a PDF document, not a spreadsheet"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "this is a PNG image, not a spreadsheet"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "this is a JPEG image (a photograph or a scan)"),
    (b"II*\x00\x08\x00\x00\x00", "this is a TIFF image (a scan)"),
    (b"\x1f\x8b\x08\x00\x00\x00", "this is a gzip archive, not a spreadsheet"),
    (_zip("word/document.xml"), "this is a Word document (.docx), not a spreadsheet"),
])
def test_a_file_that_is_no_spreadsheet_is_named_for_what_it_is(data, words):
    with pytest.raises(ValidationError) as caught:
        read_packing_list_bytes(data, "packing list.csv")
    message = str(caught.value)
    assert message.startswith(f"packing list.csv: 1 problem: {words}")
    assert ".xlsx or .csv" in message
    assert "no header row" not in message and "%PDF" not in message


# -- item 16: a list with problems keeps its rows, for the intake grid -------------------
def test_a_list_with_problems_hands_back_its_rows_as_the_file_holds_them():
    from labdesk.core.packing_list import PackingListProblems
    text = ("Stock #,Weight,Color,Cert #\n"
            "A1,1.01,G,111\nA2,1.2345,H,222\nA3,0.50,ZZ,333\n")
    with pytest.raises(PackingListProblems) as caught:
        read_packing_list_bytes(text.encode(), "list.csv")
    error = caught.value
    assert [p["row"] for p in error.problems] == [3, 4]
    assert error.rows == [(2, {"client_ref": "A1", "weight": "1.01", "colour": "G",
                               "earlier_report": "111"}),
                          (3, {"client_ref": "A2", "weight": "1.2345", "colour": "H",
                               "earlier_report": "222"}),
                          (4, {"client_ref": "A3", "weight": "0.50", "colour": "ZZ",
                               "earlier_report": "333"})]
    assert error.columns["Cert #"] == "earlier_report"
    assert isinstance(error, ValidationError)
