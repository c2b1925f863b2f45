"""Packing lists as dealers send them (domain.md section 7): CSV and XLSX, all or nothing."""
from __future__ import annotations

import codecs
import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labdesk.core import packing_list
from labdesk.core.packing_list import PackingList, read_packing_list, read_packing_list_bytes
from labdesk.core.stones import STONE_FIELDS, parse_stone_fields
from labdesk.errors import ValidationError

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# A RapNet-style export from a European dealer: BOM, semicolons, decimal commas, padding.
RAPNET_CSV = (
    "Stock #;Shape;Weight;Color;Clarity;Cut Grade;Polish;Sym;Fluorescence Intensity;"
    "Measurements;Lab;Certificate #;Depth %;Table %;Price/Ct;Comment\r\n"
    " A101 ; BR ;1,16; G ;VS1;EX;EX;VG;NIL;6.45-6.50x3.98;GIA;2141438167;61,5;57;5200;\r\n"
    "A102;PS;0,5;H;SI1;;VG;G;FNT;4.30* 5.24* 2.32;IGI;LG512345;60;58;3000;\"nice; bright\"\r\n"
    "A103;PR;1,01;O-P;I1;;PR;GD;MED;5.10x5.08x3.70;;;;;;\r\n"
    ";;;;;;;;;;;;;;;\r\n"
)


def csv_bytes(text: str, bom: bool = True, encoding: str = "utf-8") -> bytes:
    data = text.encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom and encoding == "utf-8" else data


def xlsx_bytes(*sheets: tuple[str, list[list]]) -> bytes:
    """A workbook with the given (title, rows) sheets, made with openpyxl."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_of(data: bytes, filename: str = "list.csv") -> list[dict]:
    with pytest.raises(ValidationError) as caught:
        read_packing_list_bytes(data, filename)
    return caught.value.problems


def only_message(data: bytes, filename: str = "list.csv") -> str:
    problems = problems_of(data, filename)
    assert len(problems) == 1, problems
    return problems[0]["message"]


# -- realistic files ---------------------------------------------------------------------

def test_european_rapnet_csv_with_bom_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "packing list.csv"
    path.write_bytes(csv_bytes(RAPNET_CSV))
    result = read_packing_list(path)
    assert isinstance(result, PackingList)
    assert result.format == "csv"
    assert result.rows == [2, 3, 4]
    assert result.stones[0] == {
        "client_ref": "A101", "weight": "1.160", "shape": "round", "colour": "G",
        "clarity": "VS1", "cut": "excellent", "polish": "excellent",
        "symmetry": "very_good", "fluorescence": "none",
        "measurements": "6.45 - 6.50 x 3.98", "earlier_lab": "GIA",
        "earlier_report": "2141438167"}
    assert result.stones[1]["weight"] == "0.500"
    assert result.stones[1]["notes"] == "nice; bright"
    assert "cut" not in result.stones[1]
    # PR is princess in the shape column and poor in a grade column
    assert result.stones[2]["shape"] == "princess"
    assert result.stones[2]["polish"] == "poor"
    assert result.stones[2]["colour"] == "O-P"
    assert result.columns == {
        "Stock #": "client_ref", "Shape": "shape", "Weight": "weight", "Color": "colour",
        "Clarity": "clarity", "Cut Grade": "cut", "Polish": "polish", "Sym": "symmetry",
        "Fluorescence Intensity": "fluorescence", "Measurements": "measurements",
        "Lab": "earlier_lab", "Certificate #": "earlier_report", "Comment": "notes"}
    assert result.left_out == ["Depth %", "Table %", "Price/Ct"]


def test_stones_are_accepted_as_they_are_by_the_stone_parser():
    result = read_packing_list_bytes(csv_bytes(RAPNET_CSV), "list.csv")
    for stone in result.stones:
        assert set(stone) <= set(STONE_FIELDS)
        canonical = parse_stone_fields(stone)
        assert parse_stone_fields(
            {k: v for k, v in canonical.items() if k != "weight_mct"}
            | {"weight": stone["weight"]}) == canonical


def test_comma_csv_with_quoted_fields_and_no_bom():
    text = ('Stock No,Carat,Colour,Purity,Sym,Fluor,Measurement,Remarks\n'
            '"S-1","1.2","e","vvs2","ex","N","6.45-6.50x3.98","cloud, small"\n'
            'S-2, 0.705 ,F,IF,VG,VST,"6.1 x 6.1 x 3.8",\n')
    result = read_packing_list_bytes(text.encode(), "stock.csv")
    assert result.stones == [
        {"client_ref": "S-1", "weight": "1.200", "colour": "E", "clarity": "VVS2",
         "symmetry": "excellent", "fluorescence": "none",
         "measurements": "6.45 - 6.50 x 3.98", "notes": "cloud, small"},
        {"client_ref": "S-2", "weight": "0.705", "colour": "F", "clarity": "IF",
         "symmetry": "very_good", "fluorescence": "very_strong",
         "measurements": "6.10 x 6.10 x 3.80"}]
    assert result.left_out == []


def test_tab_separated_utf16_unicode_text_from_excel():
    text = "Ref\tWeight\tShape\r\nR1\t2,01\tOV\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    result = read_packing_list_bytes(data, "stock.txt")
    assert result.stones == [{"client_ref": "R1", "weight": "2.010", "shape": "oval"}]


def test_legacy_cp1252_export_is_decoded():
    data = "Stock #;Weight;Comment\nA1;1,00;Très beau – client Müller\n".encode("cp1252")
    result = read_packing_list_bytes(data, "legacy.csv")
    assert result.stones[0]["notes"] == "Très beau – client Müller"


def test_excel_separator_hint_line():
    data = b"sep=;\nStock #;Weight\nA1;0,31\n"
    result = read_packing_list_bytes(data, "hint.csv")
    assert result.stones == [{"client_ref": "A1", "weight": "0.310"}]
    assert result.rows == [2]


def test_blank_rows_are_skipped_and_rows_keep_their_numbers():
    text = "Stock #,Weight\n\nA1,1\n , \nA2,2\n\n\n"
    result = read_packing_list_bytes(text.encode(), "gaps.csv")
    assert result.rows == [3, 5]
    assert [s["weight"] for s in result.stones] == ["1.000", "2.000"]


def test_data_under_a_blank_header_is_named_as_left_out():
    text = "Stock #,Weight,,Depth %,\nA1,1,x,61.2,\nA2,2,,60.8,,,extra\n"
    result = read_packing_list_bytes(text.encode(), "blank.csv")
    assert result.left_out == ["column 3", "Depth %", "column 7"]


def test_header_synonyms_map_to_stone_fields():
    headers = ["Item", "Cts", "Shape", "Colour", "Clarity", "Cut", "Pol", "Symmetry",
               "FL Int", "Meas", "Laser Inscription", "Nature", "Growth Method",
               "Set In Jewellery", "Lab", "Report No", "Country of Origin", "Notes"]
    row = ["I-9", "0.9", "cushion", "D", "FL", "ideal", "good", "fair", "strong",
           "5.0 x 4.9 x 3.1", "LG123", "laboratory grown", "cvd", "yes", "IGI",
           "LG600123456", "India", "ok"]
    text = ",".join(headers) + "\n" + ",".join(row) + "\n"
    result = read_packing_list_bytes(text.encode(), "syn.csv")
    assert list(result.columns.values()) == list(STONE_FIELDS)
    assert result.stones[0]["identification"] == "laboratory_grown"
    assert result.stones[0]["growth_method"] == "CVD"
    assert result.stones[0]["mounted"] == "yes"


@pytest.mark.parametrize("cell, expected", [("yes", "yes"), ("Mounted", "yes"),
                                            ("no", "no"), ("loose", "no"), ("", None)])
def test_the_mounted_column(cell, expected):
    text = f"Stock #,Weight,Mounted\nA-1,0.90,{cell}\n"
    result = read_packing_list_bytes(text.encode(), "mounted.csv")
    assert result.stones[0].get("mounted") == expected


def test_a_mounted_cell_that_is_neither_yes_nor_no_is_refused():
    text = "Stock #,Weight,Mounted\nA-1,0.90,perhaps\n"
    with pytest.raises(ValidationError) as err:
        read_packing_list_bytes(text.encode(), "mounted.csv")
    assert "is neither yes (mounted in jewellery) nor no (loose)" in str(err.value)


def test_headers_match_without_case_spaces_or_punctuation():
    text = "  STOCK_NO. ;weight (ct);  COLOR  ;Fluorescence-Intensity\nA;1;d;nil\n"
    result = read_packing_list_bytes(text.encode(), "case.csv")
    assert result.columns == {"STOCK_NO.": "client_ref", "weight (ct)": "weight",
                              "COLOR": "colour", "Fluorescence-Intensity": "fluorescence"}


def test_formula_looking_text_is_kept_as_text_never_evaluated():
    text = 'Stock #,Weight,Comment\n"=HYPERLINK(""http://x"",""y"")",1,@SUM(A1)\n'
    result = read_packing_list_bytes(text.encode(), "inject.csv")
    assert result.stones[0]["client_ref"] == '=HYPERLINK("http://x","y")'
    assert result.stones[0]["notes"] == "@SUM(A1)"


def test_xlsx_with_title_row_price_columns_and_float_cells(tmp_path):
    rows = [
        ["Diamond stock list - Antwerp Gems BV"],
        [],
        ["Stock #", "Shape", "Weight", "Color", "Clarity", "Cut", "Polish", "Sym",
         "Fluorescence", "Price/Ct", "Total $", "Certificate #"],
        [1001, " RB ", 1.16, "G", "VS2", "EX", "EX", "EX", "NON", 5200.5, 6032.58, 2141],
        [1002, "EM", 0.1 + 0.2, "F", "SI1", None, "VG", "VG", "MED", 3000, 900, None],
        [None] * 12,
        [1003.0, "HS", 1, "D", "IF", "VG", "VG", "VG", "F", 9000, 9000, None],
    ]
    path = tmp_path / "stock.xlsx"
    path.write_bytes(xlsx_bytes(("Stock", rows)))
    result = read_packing_list(path)
    assert result.format == "xlsx"
    assert result.rows == [4, 5, 7]
    assert [s["client_ref"] for s in result.stones] == ["1001", "1002", "1003"]
    assert [s["weight"] for s in result.stones] == ["1.160", "0.300", "1.000"]
    assert result.stones[2]["fluorescence"] == "faint"
    assert result.left_out == ["Price/Ct", "Total $"]
    assert result.stones[0]["earlier_report"] == "2141"
    assert "earlier_report" not in result.stones[1]


def test_xlsx_header_on_a_later_sheet_beside_a_notes_sheet():
    data = xlsx_bytes(("Read me", [["Prices in USD"], ["Valid 30 days"]]),
                      ("Stones", [["Ref", "Carat"], ["X", 0.5]]))
    assert read_packing_list_bytes(data, "two.xlsx").stones == [
        {"client_ref": "X", "weight": "0.500"}]


def test_xlsx_formula_without_a_saved_value_is_read_as_its_text():
    data = xlsx_bytes(("S", [["Stock #", "Weight"],
                             ['=HYPERLINK("http://evil","x")', 1],
                             ["B", "=1+1"]]))
    problems = problems_of(data, "f.xlsx")
    assert problems == [{"row": 3, "column": "Weight", "value": "=1+1",
                         "message": "'=1+1' is not a weight in carats (write it as 1.234)"}]
    data = xlsx_bytes(("S", [["Stock #", "Weight"], ['=HYPERLINK("http://evil","x")', 1]]))
    result = read_packing_list_bytes(data, "f.xlsx")
    assert result.stones[0]["client_ref"] == '=HYPERLINK("http://evil","x")'


def test_xlsx_weight_with_real_extra_decimals_is_not_rounded():
    data = xlsx_bytes(("S", [["Stock #", "Weight"], ["A", 1.2345]]))
    assert problems_of(data, "w.xlsx")[0]["value"] == "1.2345"


def test_xlsx_is_recognised_by_content_not_by_name():
    data = xlsx_bytes(("S", [["Stock #", "Weight"], ["A", 1]]))
    assert read_packing_list_bytes(data, "list.csv").format == "xlsx"
    data = b"Stock #,Weight\nA,1\n"
    assert read_packing_list_bytes(data, "list.xlsx").format == "csv"


# -- all problems at once --------------------------------------------------------------

def test_every_problem_is_reported_at_once_with_row_column_and_value():
    text = ("Stock #;Weight;Color;Clarity;Polish\n"
            "A1;1,16;G;VS1;EX\n"
            "A2;-1;G;VS1;EX\n"
            "A3;0,5;G;VS9;EX\n"
            "A4;0,7;G;VS1;SUPER\n")
    with pytest.raises(ValidationError) as caught:
        read_packing_list_bytes(csv_bytes(text), "dealer.csv")
    error = caught.value
    assert [(p["row"], p["column"], p["value"]) for p in error.problems] == [
        (3, "Weight", "-1"), (4, "Clarity", "VS9"), (5, "Polish", "SUPER")]
    assert all(p["message"] for p in error.problems)
    assert (error.field, error.row) == ("Weight", 3)
    assert str(error).startswith("dealer.csv: 3 problems: row 3, Weight '-1': ")
    assert "row 4, Clarity 'VS9'" in str(error)


def test_several_problems_in_one_row_are_all_reported():
    text = "Stock #,Weight,Shape,Color\nA,0,blob,ZZ\n"
    problems = problems_of(text.encode())
    assert [p["column"] for p in problems] == ["Weight", "Shape", "Color"]


def test_long_problem_lists_are_capped(monkeypatch):
    monkeypatch.setattr(packing_list, "MAX_PROBLEMS", 5)
    text = "Stock #,Weight\n" + "".join(f"A{i},-1\n" for i in range(20))
    with pytest.raises(ValidationError) as caught:
        read_packing_list_bytes(text.encode(), "many.csv")
    assert len(caught.value.problems) == 6
    assert "5 of 20 problems are listed" in caught.value.problems[-1]["message"]
    assert "20 problems" in str(caught.value)


# -- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize("weight, words", [
    ("-1", "more than zero"), ("0", "more than zero"), ("0,000", "more than zero"),
    ("abc", "not a weight"), ("1.2345", "more than three decimals"),
    ("", "required"), ("1..2", "not a weight"),
])
def test_bad_weights_name_the_column_and_row(weight, words):
    problems = problems_of(f"Stock #;Weight\nA;{weight}\n".encode())
    assert problems[0]["row"] == 2
    assert problems[0]["column"] == "Weight"
    assert words in problems[0]["message"]


@pytest.mark.parametrize("column, value", [
    ("Shape", "blob"), ("Color", "green-ish"), ("Clarity", "VVS3"), ("Cut", "superb"),
    ("Sym", "XX"), ("Fluorescence", "glowing"), ("Measurements", "big"),
    ("Nature", "plastic"), ("Growth Method", "magic"),
])
def test_unknown_grades_are_refused(column, value):
    problems = problems_of(f"Stock #,Weight,{column}\nA,1,{value}\n".encode())
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [(2, column, value)]


def test_contradicting_facts_are_a_problem_of_the_row():
    text = "Stock #,Weight,Nature,Growth Method\nA,1,natural,CVD\n"
    assert problems_of(text.encode())[0]["row"] == 2


def test_control_characters_in_text_are_refused():
    problems = problems_of(b"Stock #,Weight,Comment\nA\x01B,1,ok\nC,1,a\x1bb\n")
    assert [(p["row"], p["column"]) for p in problems] == [(2, "Stock #"), (3, "Comment")]
    assert "control characters" in problems[0]["message"]


def test_bidi_override_in_a_stock_number_is_refused():
    problems = problems_of("Stock #,Weight\nA\u202eB,1\n".encode())
    assert "U+202E" in problems[0]["message"]


def test_a_stock_number_twice_is_a_problem():
    problems = problems_of(b"Stock #,Weight\nA1,1\nB,1\na1,2\n")
    assert problems == [{"row": 4, "column": "Stock #", "value": "a1",
                         "message": "stock number 'a1' is also on row 2"}]


def test_no_weight_column_is_one_problem_naming_the_headers():
    message = only_message(b"Stock #,Shape,Color\nA,BR,G\n")
    assert "no weight column" in message
    assert "'Stock #', 'Shape', 'Color'" in message


def test_no_header_row_is_one_problem_naming_what_was_found():
    message = only_message(b"name,age\nbob,42\n")
    assert "no header row" in message and "'name', 'age'" in message


def test_two_weight_columns_are_a_problem():
    problems = problems_of(b"Stock #,Weight,Carat\nA,1,1\n")
    assert problems[0]["row"] == 1 and problems[0]["column"] == "Carat"
    assert "'Weight' is already read as the weight" in problems[0]["message"]


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, b"  \r\n\n", codecs.BOM_UTF16_LE])
def test_an_empty_file_is_refused(data):
    assert only_message(data) == "the file is empty"


def test_an_empty_workbook_is_refused():
    assert only_message(xlsx_bytes(("S", [])), "e.xlsx") == "the file is empty"


def test_a_header_without_stones_is_refused():
    assert "no stones" in only_message(b"Stock #,Weight\n,\n")


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 4,
    "Stock #,Weight\nA,1\n".encode("utf-16-le"),
    b"Stock #,Weight\n\x01\x02\x03\x04\x05\x06,\x07\x08\x0e\x0f\n",
])
def test_binary_files_posing_as_csv_are_refused(data):
    assert "not a text CSV file" in only_message(data, "list.csv")


def test_legacy_xls_is_refused_with_advice():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert "save it as .xlsx or .csv" in only_message(data, "old.xls")


def test_html_saved_as_xls_is_refused():
    message = only_message(b"<html><body><table><tr><td>Weight</td></tr></table>", "x.xls")
    assert "web page" in message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel .xlsx workbook" in only_message(out.getvalue(), "x.xlsx")


def test_an_opendocument_spreadsheet_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert ".ods" in only_message(out.getvalue(), "x.ods")


@pytest.mark.parametrize("cut", [100, 1000, 3000, -200])
def test_a_truncated_workbook_is_refused(cut):
    data = xlsx_bytes(("S", [["Stock #", "Weight"]] + [[f"A{i}", 1] for i in range(300)]))
    assert "not a readable Excel .xlsx workbook" in only_message(data[:cut], "t.xlsx")


def test_stone_lists_on_two_sheets_are_refused():
    data = xlsx_bytes(("A", [["Stock #", "Weight"], ["X", 1]]),
                      ("B", [["Stock #", "Weight"], ["Y", 1]]))
    assert "2 sheets (A, B)" in only_message(data, "two.xlsx")


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(packing_list, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_bytes(b"Stock #,Weight\n" + b"A,1\n" * 50)
    with pytest.raises(ValidationError, match="LabDesk reads packing lists up to"):
        read_packing_list(path)
    with pytest.raises(ValidationError, match="LabDesk reads packing lists up to"):
        read_packing_list_bytes(path.read_bytes(), "big.csv")


def test_too_many_stones_are_refused(monkeypatch):
    monkeypatch.setattr(packing_list, "MAX_STONES", 3)
    data = b"Stock #,Weight\n" + b"".join(b"A%d,1\n" % i for i in range(4))
    message = only_message(data)
    assert "more than 3 stones" in message


def test_rows_beyond_a_spreadsheet_are_refused(monkeypatch):
    monkeypatch.setattr(packing_list, "MAX_ROWS", 10)
    data = b"Stock #,Weight\nA,1\n" + b"\n" * 20
    assert "more than 10 rows" in only_message(data)


def test_data_beyond_the_last_column_is_refused_and_empty_columns_are_cut(monkeypatch):
    monkeypatch.setattr(packing_list, "MAX_COLUMNS", 5)
    assert "more than 5 columns" in only_message(b"Stock #,Weight\nA,1,,,,,x\n")
    assert read_packing_list_bytes(b"Stock #,Weight,,,,,,\nA,1,,,,,,\n", "w.csv").stones
    data = xlsx_bytes(("S", [["Stock #", "Weight"], ["A", 1, None, None, None, None, 7]]))
    assert "more than 5 columns" in only_message(data, "wide.xlsx")


def test_a_workbook_that_unzips_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(packing_list, "MAX_XLSX_UNPACKED_BYTES", 1000)
    data = xlsx_bytes(("S", [["Stock #", "Weight"], ["A", 1]]))
    assert "unpacks to more than" in only_message(data, "bomb.xlsx")


def test_missing_files_and_folders_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="no such file"):
        read_packing_list(tmp_path / "nope.csv")
    with pytest.raises(ValidationError, match="folder"):
        read_packing_list(tmp_path)


def test_a_huge_cell_gives_a_short_value_in_the_problem():
    data = b"Stock #,Weight\nA," + b"9" * 5000 + b"\n"
    problem = problems_of(data)[0]
    assert len(problem["value"]) <= 201


# -- fuzzing: nothing but ValidationError, whatever the content -------------------------

def read_or_refuse(data: bytes, filename: str) -> None:
    try:
        result = read_packing_list_bytes(data, filename)
    except ValidationError as exc:
        assert exc.problems and all(p["message"] for p in exc.problems)
    else:
        assert len(result.stones) == len(result.rows) > 0


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_give_a_packing_list_or_a_validation_error(data):
    read_or_refuse(data, "random.csv")


@FUZZ
@given(st.binary(max_size=500))
def test_random_bytes_behind_a_zip_or_ole_signature(data):
    read_or_refuse(b"PK\x03\x04" + data, "random.xlsx")
    read_or_refuse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data, "random.xls")


HEADERS = st.sampled_from(["Stock #", "Weight", "Carat", "Shape", "Color", "Clarity",
                           "Cut Grade", "Polish", "Sym", "Fluorescence Intensity",
                           "Measurements", "Comment", "Nature", "Growth Method", "Lab",
                           "Price/Ct", "", "Depth %"])
CELLS = st.one_of(
    st.sampled_from(["1,16", "0.5", "-1", "0", "1.2345", "BR", "PR", "EX", "NIL", "G",
                     "VS1", "O-P", "6.45-6.50x3.98", "4.30* 5.24* 2.32", "CVD",
                     "natural", "=HYPERLINK(\"http://x\")", "+1", "@A1", " ", ""]),
    st.text(max_size=30))


@FUZZ
@given(st.lists(HEADERS, min_size=1, max_size=8),
       st.lists(st.lists(CELLS, max_size=9), max_size=6),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_random_csv_text_gives_a_packing_list_or_a_validation_error(headers, rows,
                                                                    delimiter, bom):
    lines = [headers] + rows
    text = "\r\n".join(delimiter.join(cell.replace('"', '""').join('""')
                                      if delimiter in cell or '"' in cell else cell
                                      for cell in line) for line in lines)
    read_or_refuse(csv_bytes(text, bom=bom), "fuzz.csv")
    read_or_refuse(text.encode("utf-8", "surrogatepass"), "fuzz.csv")


VALID_XLSX = xlsx_bytes(("S", [["Stock #", "Weight", "Color", "Price"],
                               ["A", 1.16, "G", 100], ["B", "0,5", "H", 200]]))


@FUZZ
@given(st.integers(0, len(VALID_XLSX) - 1), st.binary(min_size=1, max_size=8),
       st.booleans())
def test_damaged_workbooks_give_a_packing_list_or_a_validation_error(at, junk, truncate):
    data = VALID_XLSX[:at] if truncate else VALID_XLSX[:at] + junk + VALID_XLSX[at + 8:]
    read_or_refuse(data, "damaged.xlsx")


@FUZZ
@given(st.lists(st.lists(st.one_of(st.none(), st.floats(allow_nan=True),
                                   st.integers(-10**20, 10**20), st.booleans(),
                                   st.datetimes(), CELLS), max_size=6), max_size=5))
def test_random_workbook_cells_give_a_packing_list_or_a_validation_error(rows):
    clean = [[c.translate({i: None for i in range(32)}) if isinstance(c, str) else c
              for c in row] for row in rows]
    data = xlsx_bytes(("S", [["Stock #", "Weight", "Shape", "Notes"]] + clean))
    read_or_refuse(data, "cells.xlsx")
