"""Editing a PDF's printed text as a PDF editor does (pdfium: the text object's
characters replaced and the page's content written again), for tests of tampering."""
from __future__ import annotations

import ctypes
import io


def replace_text(data: bytes, old: str, new: str) -> bytes:
    """``data`` with every text object whose text is ``old`` (spaces aside) reading
    ``new``; AssertionError when none does."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    document = pdfium.PdfDocument(data)
    changed = 0
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            for obj in page.get_objects():
                if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                    continue
                size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = ctypes.create_string_buffer(size)
                raw.FPDFTextObj_GetText(obj.raw, textpage.raw,
                                        ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)),
                                        size)
                text = buffer.raw[:size].decode("utf-16-le").rstrip("\x00").strip()
                if text == old:
                    wide = ctypes.create_string_buffer(new.encode("utf-16-le") + b"\0\0")
                    assert raw.FPDFText_SetText(obj.raw, ctypes.cast(wide,
                                                                     raw.FPDF_WIDESTRING))
                    changed += 1
            assert raw.FPDFPage_GenerateContent(page.raw)
        assert changed, f"no text {old!r} in the PDF"
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    finally:
        document.close()
