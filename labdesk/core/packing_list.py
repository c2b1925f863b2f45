"""Packing lists: a dealer's stock list (CSV or XLSX) read into stones for ``Lab.receive``.

Dealers keep stock in spreadsheets laid out like the trading networks' (domain.md section 7):
one stone a row, headers such as ``Stock #``, ``Weight``, ``Color``, ``Sym``, values padded
and abbreviated (``BR``, ``EX``, ``NIL``, ``1,16``).  This module finds the header row,
maps the headers LabDesk uses to stone fields, names every other column as *left out*, and
checks every cell with :func:`labdesk.core.stones.parse_stone_fields`.

All or nothing: a file with any problem raises one :class:`ValidationError` whose
``problems`` list every problem found (row as a spreadsheet shows it, the file's header,
the cell text, what is wrong).  Any file content, however damaged, gives either a
:class:`PackingList` or a ``ValidationError``: never another exception.

Cells that look like spreadsheet formulas (``=HYPERLINK(...)``) are kept as the text they
are: LabDesk never evaluates them, and a CSV file LabDesk writes must pass each cell
through :func:`csv_safe` (there is no CSV export yet).  From an XLSX file the
value the dealer's spreadsheet saved is read; a formula saved without a value is read as
its formula text, as a CSV file would hold it.
"""
from __future__ import annotations

import codecs
import csv
import io
import math
import re
import stat
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path

from labdesk.core.stones import STONE_FIELDS, parse_stone_fields
from labdesk.core.weights import format_weight
from labdesk.errors import ValidationError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_STONES = 100_000
#: The most an XLSX file may hold once unzipped (guards against zip bombs).
MAX_XLSX_UNPACKED_BYTES = 500 * 1024 * 1024
#: The most rows and columns a spreadsheet holds (Excel's limits, near enough).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 1_000
#: How many rows from the top are searched for the header (dealers put titles above it).
HEADER_SCAN_ROWS = 20
#: At most this many problems are listed; a file with more is the wrong file.
MAX_PROBLEMS = 1000
_PROBLEMS_IN_MESSAGE = 10
_VALUE_SHOWN = 200
_WEIGHT_CHARACTERS = 20  # '5000.000 ct' and its padding fit with room to spare

#: Headers as dealers write them, for each stone field.  Matching ignores case, spaces and
#: punctuation ('#' reads as 'No'), so 'Stock #', 'STOCK_NO' and 'stock no.' are one header.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "client_ref": ("Stock #", "Stock Number", "Stock Num", "Stock Nr", "Stock ID", "Stock",
                   "Ref", "Reference", "Ref #", "Client Ref", "Item", "Item #", "Lot #",
                   "Lot", "Stone ID", "Vendor Stock Number", "Supplier Stock Ref"),
    "weight": ("Weight", "Carat", "Carats", "Cts", "Ct", "Size", "Carat Weight",
               "Weight (ct)", "Wt", "Weight/Carat", "Carat/Weight", "Weight (Carat)",
               "Carat Wt", "Weight Carat", "Weight (cts)"),
    "shape": ("Shape", "Shape Name"),
    "colour": ("Color", "Colour", "Color Grade", "Colour Grade"),
    "clarity": ("Clarity", "Purity", "Clarity Grade"),
    "cut": ("Cut", "Cut Grade"),
    "polish": ("Polish", "Pol"),
    "symmetry": ("Symmetry", "Sym", "Symm"),
    "fluorescence": ("Fluorescence", "Fluorescence Intensity", "Fluor", "Fluor Intensity",
                     "Fluo", "Fluo Int", "FL Int", "Flr", "Fluorescence Int"),
    "measurements": ("Measurements", "Measurement", "Meas", "Measurements (mm)",
                     "Dimensions"),
    "inscription": ("Inscription", "Laser Inscription", "Inscriptions"),
    "identification": ("Identification", "Nature"),
    "growth_method": ("Growth Method", "Growth"),
    "mounted": ("Mounted", "Set", "Set In Jewellery", "Set In Jewelry", "Jewellery",
                "Jewelry", "Loose Or Mounted"),
    "earlier_lab": ("Lab", "Grading Lab", "Lab Name", "Certificate Lab", "Cert Lab",
                    "Laboratory", "Grading Laboratory", "Certified By"),
    "earlier_report": ("Cert #", "Certificate #", "Certificate Number", "Cert Number",
                       "Certificate", "Cert", "Report No", "Report #", "Report Number",
                       "Lab Report", "Lab Report No", "Grading Report", "Cert No"),
    "declared_origin": ("Origin", "Country", "Origin/Country", "Country of Origin",
                        "Country/Origin", "Mine Origin", "Declared Origin",
                        "Origin Country"),
    "notes": ("Comment", "Comments", "Notes", "Note", "Remarks", "Remark"),
}
_FIELD_WORDS = {"client_ref": "stock number", "growth_method": "growth method",
                "earlier_lab": "grading lab", "earlier_report": "certificate number",
                "declared_origin": "origin"}

# Characters no grading record holds: C0/C1 controls (tab and line breaks aside) and the
# bidirectional overrides that make text read differently from what it is.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                                r"\u202a-\u202e\u2066-\u2069]")
_FILE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CSV_DELIMITERS = (",", ";", "\t", "|")
_SEPARATOR_HINT = re.compile(r"\Asep=([,;\t|])\r?\n", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class PackingList:
    """A packing list read without a single problem.

    ``stones`` holds one dict a stone, keyed by the fields of ``STONE_FIELDS``; values are
    the canonical text ``Lab.receive`` accepts as it is ('1.160', 'round', 'very_good');
    a field absent from a dict was blank or had no column.  ``rows`` gives each stone's
    row in the file, ``columns`` each imported header and its field, ``left_out`` the
    headers LabDesk does not import ('column N' for data under a blank header).
    """

    stones: list[dict]
    rows: list[int]
    columns: dict[str, str]
    left_out: list[str]
    format: str


class PackingListProblems(ValidationError):
    """A packing list whose header was found but whose rows hold problems.  Beside the
    problems, ``rows`` holds every stone row as the file holds it, ``(row number,
    {stone field: cell text})``, and ``columns`` ``{file header: stone field}``, so
    that the rows can be corrected in the intake grid and received from there."""

    def __init__(self, message: str, problems: list[dict], rows: list[tuple[int, dict]],
                 columns: dict[str, str]):
        first = problems[0]
        super().__init__(message, field=first["column"], row=first["row"],
                         problems=problems)
        self.rows = list(rows)
        self.columns = dict(columns)


@dataclass
class _Layout:
    """Where the header is and which column holds which stone field."""

    row: int
    headers: list[str]
    fields: dict[int, str] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)

    def header_of(self, stone_field: str) -> str:
        """The file's header for ``stone_field``."""
        for index, name in self.fields.items():
            if name == stone_field:
                return self.headers[index]
        return stone_field

    def columns(self) -> dict[str, str]:
        """{file header: stone field} for the imported columns, in file order."""
        return {self.headers[i]: name for i, name in sorted(self.fields.items())}


def read_packing_list(path) -> PackingList:
    """Read the packing list at ``path`` (CSV or XLSX, told apart by content).

    Raises ``ValidationError`` for a file that cannot be read or holds any problem.
    """
    return read_packing_list_file(path)[1]


def read_packing_list_file(path) -> tuple[bytes, PackingList]:
    """The bytes of the file at ``path`` and the packing list read from exactly those
    bytes, read once: what is kept as the intake's record is what was imported, even if
    the file changes on disk meanwhile."""
    path = Path(path)
    data = _read_file(path)
    return data, read_packing_list_bytes(data, path.name)


#: What makes a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d",
                     "\uff20")


def csv_safe(value) -> str:
    """A cell for a CSV file LabDesk writes: text that a spreadsheet would run as a
    formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, a tab or carriage return first,
    leading spaces aside) is prefixed with an apostrophe, so it is shown, not run.

    Stored values are kept as the text they are; only an export calls this."""
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def read_packing_list_bytes(data: bytes, filename: str) -> PackingList:
    """Read a packing list held in memory; ``filename`` names it in messages.

    The format is told by content: an XLSX workbook is a zip archive; an old ``.xls``
    (OLE) workbook is refused; anything else must be a text CSV file.
    """
    name = Path(str(filename)).name or "packing list"
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise _refusal(name, f"the file is {_megabytes(len(data))}; LabDesk reads packing "
                             f"lists up to {_megabytes(MAX_FILE_BYTES)} (split the list)")
    if data.startswith(_OLE_MAGIC):
        raise _refusal(name, "this is an old Excel .xls workbook or a password-protected "
                             "workbook; remove any password and save it as .xlsx or .csv")
    kind = _other_document(data)
    if kind:
        raise _refusal(name, f"this is {kind}, not a spreadsheet: LabDesk reads packing "
                             f"lists saved as .xlsx or .csv (open the dealer's spreadsheet "
                             f"and save it as one of these)")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, name)
    return _read_csv(data, name)


_MEDIA_WORDS = {"application/pdf": "a PDF document", "image/png": "a PNG image",
                "image/jpeg": "a JPEG image (a photograph or a scan)",
                "image/tiff": "a TIFF image (a scan)", "image/gif": "a GIF image",
                "image/webp": "a WebP image"}
_OTHER_MAGIC = ((b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
                (b"Rar!\x1a\x07", "a RAR archive"), (b"{\\rtf", "an RTF document"))


def _other_document(data: bytes) -> str | None:
    """What a file that is plainly no spreadsheet is, in words ('a PDF document'), told
    from its first bytes (``labdesk.core.media``); None for anything else."""
    from labdesk.core import media
    head = data[:media.HEAD_BYTES]
    kind = media.sniff(head)
    if kind:
        return _MEDIA_WORDS.get(kind, kind)
    return next((words for magic, words in _OTHER_MAGIC if head.startswith(magic)), None)


# -- files -----------------------------------------------------------------------------

def _read_file(path: Path) -> bytes:
    """The bytes of a regular file no larger than the limit, or a ``ValidationError``."""
    name = path.name or str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _refusal(name, "this is a folder, not a packing list file")
        if not stat.S_ISREG(info.st_mode):
            raise _refusal(name, "this is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise _refusal(name, f"the file is {_megabytes(info.st_size)}; LabDesk reads "
                                 f"packing lists up to {_megabytes(MAX_FILE_BYTES)} "
                                 f"(split the list)")
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _refusal(name, f"no such file: {path}") from None
    except PermissionError:
        raise _refusal(name, "LabDesk is not allowed to read this file") from None
    except OSError as exc:
        raise _refusal(name, f"the file cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:  # a path with a NUL byte
        raise _refusal(name, f"not a file name ({exc})") from None


def _megabytes(size: int) -> str:
    """52428800 -> '50 MB', 52428801 -> '50.0 MB' (never '50 MB' for a larger file)."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes.is_integer() else f"{megabytes:.1f} MB"


# -- CSV -------------------------------------------------------------------------------

def _read_csv(data: bytes, name: str) -> PackingList:
    """Decode, pick the delimiter that yields a header, and read the rows."""
    text = _decode_text(data, name)
    hint = _SEPARATOR_HINT.match(text)
    if hint:  # Excel's "sep=;" first line: Excel hides it, so rows count after it
        text = text[hint.end():]
    delimiters = (hint.group(1),) if hint else _CSV_DELIMITERS
    delimiter = max(delimiters, key=lambda d: _delimiter_score(text, d))
    return _read_table(_csv_rows(text, delimiter, name), name, "csv")


def _decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252; binary is refused."""
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[len(codecs.BOM_UTF8):], "utf-8", name)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", name)  # Excel's "Unicode text", tab-separated
    elif b"\x00" in data:
        raise _not_text(name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(data, "cp1252", name)  # legacy Excel exports on Windows
    if not text.strip():
        raise _refusal(name, "the file is empty")
    controls = len(_FILE_CONTROLS.findall(text))
    if "\x00" in text or controls * 10 > len(text):  # a tenth: not a text file
        raise _not_text(name)
    if text.lstrip().lower().startswith(("<!doctype", "<html", "<?xml", "<table")):
        raise _refusal(name, "this is a web page or an XML file, not a CSV file; open it "
                             "in a spreadsheet and save it as .xlsx or .csv")
    return text


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _not_text(name) from None


def _not_text(name: str) -> ValidationError:
    return _refusal(name, "not a text CSV file (it holds binary data); save the packing "
                          "list as .xlsx or .csv")


def _csv_records(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                      skipinitialspace=True)


def _delimiter_score(text: str, delimiter: str) -> tuple:
    """How well ``delimiter`` splits the top of the file into a header row."""
    try:
        head = [cells[:MAX_COLUMNS]
                for cells in islice(_csv_records(text, delimiter), HEADER_SCAN_ROWS)]
    except csv.Error:
        return (-1,)
    best = max(head, key=_header_score, default=[])
    score, has_weight = _header_score(best)
    return has_weight, score, len(best)


def _csv_rows(text: str, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for each record; numbers count records, as a spreadsheet does."""
    records = _csv_records(text, delimiter)
    number = 0
    while True:
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _refusal(name, f"not a readable CSV file ({exc})", row=number + 1) from None
        number += 1
        yield number, _within_bounds(number, cells, name)


# -- XLSX ------------------------------------------------------------------------------

def _read_xlsx(data: bytes, name: str) -> PackingList:
    """Read the one sheet holding a stone list, with the values the workbook saved."""
    formulas = _check_xlsx_archive(data, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
        values_book = _open_workbook(data, name, data_only=True)
        formula_book = None
        try:
            if formulas:
                formula_book = _open_workbook(data, name, data_only=False)
            index = _stone_sheet(values_book, name)
            rows = _sheet_rows(values_book.worksheets[index],
                               formula_book and formula_book.worksheets[index], name)
            return _read_table(rows, name, "xlsx")
        finally:
            for book in (values_book, formula_book):
                if book is not None:
                    book.close()


def _check_xlsx_archive(data: bytes, name: str) -> bool:
    """Refuse zip files that are not workbooks or unzip too large; True if formulas."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "mimetype" in names:
                with archive.open("mimetype") as stream:
                    kind = stream.read(100)
                if kind.startswith(b"application/vnd.oasis.opendocument"):
                    raise _refusal(name, "this is an OpenDocument file (.ods); save it as "
                                         ".xlsx or .csv")
            if "[Content_Types].xml" not in names:
                raise _refusal(name, "this is a zip archive, not an Excel .xlsx workbook")
            other = next((words for part, words in (
                ("word/document.xml", "a Word document (.docx)"),
                ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"))
                if part in names), None)
            if other:
                raise _refusal(name, f"this is {other}, not a spreadsheet: save the "
                                     f"packing list as .xlsx or .csv")
            if sum(m.file_size for m in members) > MAX_XLSX_UNPACKED_BYTES:
                raise _refusal(name, f"the workbook unpacks to more than "
                                     f"{_megabytes(MAX_XLSX_UNPACKED_BYTES)}; LabDesk "
                                     f"does not read it")
            return any(_has_formulas(archive, m) for m in members
                       if m.filename.startswith("xl/worksheets/"))
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile raises many kinds on damaged files
        raise _unreadable_workbook(name, exc) from None


def _has_formulas(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True if the worksheet XML holds a formula element (read in chunks)."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _open_workbook(data: bytes, name: str, data_only: bool):
    from openpyxl import load_workbook  # imported here: CSV users need not pay for it
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise _unreadable_workbook(name, exc) from None


def _unreadable_workbook(name: str, exc: Exception) -> ValidationError:
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return _refusal(name, f"not a readable Excel .xlsx workbook ({detail}); open it in a "
                          f"spreadsheet and save it again as .xlsx or .csv")


def _stone_sheet(book, name: str) -> int:
    """The index of the one worksheet with a stone list header (else the first with data)."""
    sheets = book.worksheets
    if not sheets:
        raise _refusal(name, "the workbook has no worksheet")
    with_header, with_data = [], []
    for index, sheet in enumerate(sheets):
        sheet.reset_dimensions()  # dealers' tools often write a wrong dimension
        head = [_texts(row[:MAX_COLUMNS]) for row in _guarded(
            sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), name)]
        if any(_header_score(cells)[1] for cells in head):
            with_header.append(index)
        elif any(not _is_blank(cells) for cells in head):
            with_data.append(index)
    if len(with_header) > 1:
        titles = ", ".join(str(sheets[i].title) for i in with_header)
        raise _refusal(name, f"the workbook holds stone lists on {len(with_header)} sheets "
                             f"({titles}); keep one list a file")
    return (with_header or with_data or [0])[0]


def _sheet_rows(values, formulas, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a sheet; a formula saved without a value reads as its text."""
    values.reset_dimensions()
    value_rows = _guarded(values.iter_rows(values_only=True), name)
    formula_rows = None
    if formulas is not None:
        formulas.reset_dimensions()
        formula_rows = _guarded(formulas.iter_rows(values_only=True), name)
    for number, row in enumerate(value_rows, start=1):
        formula_row = next(formula_rows, ()) if formula_rows is not None else ()
        row = _within_bounds(number, row, name)
        cells = [value if value is not None or i >= len(formula_row) else formula_row[i]
                 for i, value in enumerate(row)]
        yield number, _texts(cells)


def _guarded(iterable: Iterable, name: str) -> Iterator:
    """Iterate over openpyxl's lazy parsing, turning its failures into a ValidationError."""
    try:
        iterator = iter(iterable)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise _unreadable_workbook(name, exc) from None
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
            raise _unreadable_workbook(name, exc) from None
        yield item


def _texts(cells: Iterable) -> list[str]:
    return [_cell_text(value) for value in cells]


def _cell_text(value) -> str:
    """A workbook cell as the text a dealer sees: 1.0 -> '1', 0.30000000000000004 -> '0.3'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    """Shortest text for a float, with binary noise below 1e-9 rounded to 3 decimals."""
    if not math.isfinite(value):
        return repr(value)
    rounded = round(value, 3)
    if rounded != 0 and abs(value - rounded) < 1e-9:
        value = rounded
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


# -- the table -------------------------------------------------------------------------

def _read_table(rows: Iterator[tuple[int, list[str]]], name: str,
                fmt: str) -> PackingList:
    """Find the header, read every stone row, and raise all problems at once."""
    head = list(islice(rows, HEADER_SCAN_ROWS))
    layout = _find_header(head, name)
    reader = _StoneReader(layout, name)
    for number, cells in chain((r for r in head if r[0] > layout.row), rows):
        reader.add(number, cells)
    return reader.result(fmt)


def _within_bounds(number: int, cells, name: str):
    """``cells`` cut to ``MAX_COLUMNS`` when nothing lies beyond; a row past ``MAX_ROWS``
    or data beyond the last column is refused (a crafted file must not hang LabDesk)."""
    if number > MAX_ROWS:
        raise _refusal(name, f"more than {MAX_ROWS:,} rows, the most a spreadsheet holds",
                       row=number)
    if len(cells) <= MAX_COLUMNS:
        return cells
    tail = cells[MAX_COLUMNS:]
    if tail.count(None) + tail.count("") < len(tail) and any(
            value is not None and str(value).strip() for value in tail):
        raise _refusal(name, f"more than {MAX_COLUMNS:,} columns; LabDesk reads packing "
                             f"lists up to {MAX_COLUMNS:,} columns wide", row=number)
    return cells[:MAX_COLUMNS]


def _header_key(text: str) -> str:
    """'Stock #' -> 'stockno', 'FL. Int' -> 'flint': how headers compare."""
    return re.sub(r"[^0-9a-z]", "", text.lower().replace("#", "no"))


_FIELD_BY_HEADER = {_header_key(h): f for f, headers in HEADER_SYNONYMS.items()
                    for h in (*headers, f)}


def _header_field(text: str) -> str | None:
    return _FIELD_BY_HEADER.get(_header_key(text)) if text.strip() else None


def _header_score(cells: list[str]) -> tuple[int, bool]:
    """(how many cells are known headers, whether one is the weight)."""
    fields = [_header_field(c) for c in cells]
    return sum(f is not None for f in fields), "weight" in fields


def _is_blank(cells: list[str]) -> bool:
    return all(not c.strip() for c in cells)


def _find_header(head: list[tuple[int, list[str]]], name: str) -> _Layout:
    """The top row with the most known headers; it must name a weight column."""
    filled = [(number, cells) for number, cells in head if not _is_blank(cells)]
    if not filled:
        if len(head) < HEADER_SCAN_ROWS:
            raise _refusal(name, "the file is empty")
        raise _refusal(name, f"the first {HEADER_SCAN_ROWS} rows are blank; the header "
                             f"row (Stock #, Weight, Shape...) must be near the top")
    number, cells = max(filled, key=lambda r: _header_score(r[1])[0])
    found = ", ".join(repr(_one_line(c)) for c in cells if c.strip())
    score, has_weight = _header_score(cells)
    if not score:
        first, first_cells = filled[0]
        shown = ", ".join(repr(_one_line(c)) for c in first_cells if c.strip())
        raise _refusal(name, f"no header row found: LabDesk looks for headers such as "
                             f"Stock #, Weight, Shape, Color, Clarity in the first "
                             f"{HEADER_SCAN_ROWS} rows; the first row reads {shown}",
                       row=first)
    if not has_weight:
        raise _refusal(name, f"no weight column: the headers are {found}; name the carat "
                             f"weight column Weight, Carat or Cts", row=number)
    return _layout(number, cells)


def _layout(number: int, cells: list[str]) -> _Layout:
    """Map the header row's cells to stone fields; a field named twice is a problem."""
    layout = _Layout(row=number, headers=[_one_line(c) for c in cells])
    first_column: dict[str, int] = {}
    for index, header in enumerate(layout.headers):
        stone_field = _header_field(header)
        if stone_field is None:
            continue
        if stone_field in first_column:
            first = layout.headers[first_column[stone_field]]
            layout.problems.append(_problem(
                f"a second {_FIELD_WORDS.get(stone_field, stone_field)} column: "
                f"{first!r} is already read as the {_FIELD_WORDS.get(stone_field, stone_field)}"
                f"; remove one of the two", row=number, column=header, value=header))
            continue
        first_column[stone_field] = index
        layout.fields[index] = stone_field
    return layout


class _StoneReader:
    """Reads stone rows under a header, gathering stones, problems and unused columns."""

    def __init__(self, layout: _Layout, name: str):
        self.layout = layout
        self.name = name
        self.stones: list[dict] = []
        self.rows: list[int] = []
        self.problems: list[dict] = list(layout.problems)
        self.problem_count = len(self.problems)
        self.unnamed_with_data: set[int] = set()
        self.refs: dict[str, int] = {}
        self.row_count = 0
        #: Every stone row as the file holds it ({stone field: cell text}), for a list
        #: with problems to be corrected in the intake grid.
        self.cell_rows: list[tuple[int, dict]] = []

    def add(self, number: int, cells: list[str]) -> None:
        """Read one row: blank rows are skipped, every problem is noted."""
        if _is_blank(cells):
            return
        self.row_count += 1
        if self.row_count > MAX_STONES:
            raise _refusal(self.name, f"more than {MAX_STONES:,} stones; split the list "
                                      f"into files of at most {MAX_STONES:,}", row=number)
        self._note_unnamed_columns(cells)
        fields, problems = self._cells(number, cells)
        self.cell_rows.append((number, {k: v for k, v in fields.items() if v}))
        try:
            canonical = parse_stone_fields(fields)
        except ValidationError as exc:
            flagged = {p["column"] for p in problems}
            problems += [self._from_stone_problem(number, p, fields) for p in exc.problems
                         if self.layout.header_of(p["column"]) not in flagged]
        else:
            problems += self._duplicate_ref(number, canonical.get("client_ref"))
            if not problems:
                self.stones.append(_stone_values(canonical))
                self.rows.append(number)
        for problem in problems:
            self._note(problem)

    def _cells(self, number: int, cells: list[str]) -> tuple[dict, list[dict]]:
        """{stone field: cell text} for the imported columns, and unsafe-text problems."""
        fields, problems = {}, []
        for index, stone_field in self.layout.fields.items():
            text = cells[index].strip() if index < len(cells) else ""
            message = _unsafe_text(text, stone_field)
            if message:
                problems.append(_problem(message, row=number,
                                         column=self.layout.headers[index], value=text))
                text = ""  # reported already: the stone parser must not see it
            fields[stone_field] = text
        return fields, problems

    def _from_stone_problem(self, number: int, problem: dict, fields: dict) -> dict:
        """A problem from ``parse_stone_fields`` told in the file's terms."""
        stone_field = problem["column"]
        message = problem["message"]
        if message.startswith(f"{stone_field}: "):
            message = message[len(stone_field) + 2:]
        return _problem(message, row=number, column=self.layout.header_of(stone_field),
                        value=fields.get(stone_field, ""))

    def _duplicate_ref(self, number: int, ref: str | None) -> list[dict]:
        """A stock number met on an earlier row is a problem (a pasted-twice line)."""
        if not ref:
            return []
        key = ref.casefold()
        if key in self.refs:
            return [_problem(f"stock number {ref!r} is also on row {self.refs[key]}",
                             row=number, column=self.layout.header_of("client_ref"),
                             value=ref)]
        self.refs[key] = number
        return []

    def _note_unnamed_columns(self, cells: list[str]) -> None:
        headers = self.layout.headers
        for index, text in enumerate(cells):
            if text.strip() and (index >= len(headers) or not headers[index]):
                self.unnamed_with_data.add(index)

    def _note(self, problem: dict) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def left_out(self) -> list[str]:
        """Headers not imported, in file order; data under a blank header as 'column N'."""
        headers = self.layout.headers
        width = max([len(headers), *(i + 1 for i in self.unnamed_with_data)])
        names = []
        for index in range(width):
            header = headers[index] if index < len(headers) else ""
            if index in self.layout.fields:
                continue
            if header and _header_field(header) is None:
                names.append(header)
            elif index in self.unnamed_with_data:
                names.append(f"column {index + 1}")
        return names

    def result(self, fmt: str) -> PackingList:
        """The packing list, or a ``ValidationError`` listing every problem."""
        if not self.problems and not self.row_count:
            self.problems.append(_problem("the file has a header row but no stones",
                                          row=self.layout.row))
            self.problem_count += 1
        if self.problems:
            error = _failure(self.name, self.problems, self.problem_count)
            raise PackingListProblems(str(error), error.problems, self.cell_rows,
                                      self.layout.columns())
        return PackingList(stones=self.stones, rows=self.rows,
                           columns=self.layout.columns(), left_out=self.left_out(),
                           format=fmt)


def _unsafe_text(text: str, stone_field: str) -> str | None:
    """Why ``text`` cannot be read into ``stone_field`` before any parsing, if it cannot."""
    unsafe = _UNSAFE_CHARACTERS.search(text)
    if unsafe:
        return f"control characters are not allowed (this cell holds U+{ord(unsafe.group()):04X})"
    if stone_field == "weight" and len(text) > _WEIGHT_CHARACTERS:
        # parse_weight lets Decimal overflow on some 30-digit numbers: never pass them on
        return f"{text[:_WEIGHT_CHARACTERS]!r}... is not a weight in carats (write it as 1.234)"
    return None


def _stone_values(canonical: dict) -> dict:
    """Canonical columns back to ``Lab.receive`` fields: weight_mct 1160 -> '1.160'."""
    stone = {}
    for stone_field in STONE_FIELDS:
        if stone_field == "weight":
            stone["weight"] = format_weight(canonical["weight_mct"])
        elif stone_field == "mounted" and canonical.get("mounted") is not None:
            stone["mounted"] = "yes" if canonical["mounted"] else "no"
        elif canonical.get(stone_field) is not None:
            stone[stone_field] = canonical[stone_field]
    return stone


# -- problems --------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _problem(message: str, row: int | None = None, column: str | None = None,
             value: str | None = None) -> dict:
    """A problem as ``ValidationError.problems`` holds it (long values are cut short)."""
    if value is not None and len(value) > _VALUE_SHOWN:
        value = value[:_VALUE_SHOWN] + "…"
    return {"row": row, "column": column, "value": value, "message": message}


def _refusal(name: str, message: str, row: int | None = None) -> ValidationError:
    """A whole-file problem (empty, binary, too large, no header...)."""
    return _failure(name, [_problem(message, row=row)], 1)


def _describe(problem: dict) -> str:
    """'row 4, Weight '-1': -1 ct must be more than zero'."""
    place = []
    if problem["row"] is not None:
        place.append(f"row {problem['row']}")
    if problem["column"]:
        value = problem["value"]
        shown = "" if value is None else f" {_one_line(value)[:40]!r}"
        place.append(f"{problem['column']}{shown}")
    return f"{', '.join(place)}: {problem['message']}" if place else problem["message"]


def _failure(name: str, problems: list[dict], count: int) -> ValidationError:
    """One error for the whole file, its message summing up the first problems."""
    if count > len(problems):
        problems = [*problems, _problem(f"{len(problems):,} of {count:,} problems are "
                                        f"listed; fix these and import the file again")]
    shown = "; ".join(_describe(p) for p in problems[:_PROBLEMS_IN_MESSAGE])
    more = count - min(count, _PROBLEMS_IN_MESSAGE)
    if more:
        shown += f"; and {more:,} more"
    noun = "problem" if count == 1 else "problems"
    first = problems[0]
    return ValidationError(f"{name}: {count:,} {noun}: {shown}", field=first["column"],
                           row=first["row"], problems=problems)
