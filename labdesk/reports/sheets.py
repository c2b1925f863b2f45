"""Tables written for spreadsheets: CSV and XLSX, streamed row by row.

A cell that a spreadsheet would read as a formula (text starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return: OWASP's CSV injection) is written with a
leading apostrophe, so it shows as the text it is and never runs.  Numbers are written
as numbers (only text is neutralised), so a weight stays a weight.

Both writers take an iterator of rows and keep nothing but the row at hand: CSV with the
``csv`` module, XLSX with openpyxl's write-only workbook (its rows go to a temporary
file as they come), so a million rows cost the memory of one.  The file is written
beside its target and renamed into place: a failed export leaves no half file.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterable

from labdesk.errors import ValidationError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


def neutralise(value):
    """``value`` as a spreadsheet must show it: text starting like a formula gets a
    leading apostrophe; numbers and empty cells pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def format_of(path) -> str:
    """``csv`` or ``xlsx`` from the file's name; ``ValidationError`` otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(f"out: {Path(path).name} must end in .csv or .xlsx",
                              field="out")
    return suffix


def check_target(path) -> Path:
    """The file to write: its folder must exist and it must not be a folder."""
    target = Path(path)
    format_of(target)
    if target.is_dir():
        raise ValidationError(f"out: {target} is a folder; name the file", field="out")
    if not target.parent.is_dir():
        raise ValidationError(f"out: the folder {target.parent} does not exist",
                              field="out")
    return target


def write(path, header: list[str], rows: Iterable[list], sheet: str = "Export",
          progress=None) -> int:
    """Write ``header`` and ``rows`` to ``path`` (CSV or XLSX by its name); returns how
    many rows were written.  ``progress(done)`` is called every thousand rows."""
    target = check_target(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        if format_of(target) == "csv":
            count = _write_csv(temporary, header, rows, progress)
        else:
            count = _write_xlsx(temporary, header, rows, sheet, progress)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return count


def _write_csv(path: Path, header, rows, progress) -> int:
    count = 0
    # utf-8-sig: Excel reads the accents of a client's name right
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow([neutralise(h) for h in header])
        for row in rows:
            out.writerow([neutralise(v) for v in row])
            count += 1
            if progress and count % 1000 == 0:
                progress(count)
        fh.flush()
        os.fsync(fh.fileno())
    return count


def _write_xlsx(path: Path, header, rows, sheet: str, progress) -> int:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    table = book.create_sheet(sheet[:31])
    table.freeze_panes = "A2"
    table.append([neutralise(h) for h in header])
    count = 0
    for row in rows:
        table.append([_xlsx_cell(v) for v in row])
        count += 1
        if progress and count % 1000 == 0:
            progress(count)
    book.save(str(path))
    return count


def _xlsx_cell(value):
    value = neutralise(value)
    if isinstance(value, str):
        # characters XML 1.0 cannot hold (openpyxl refuses them): a control character
        # pasted into a note
        value = "".join(c for c in value if c in "\t\n\r" or ord(c) >= 32)
    return value
