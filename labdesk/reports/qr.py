"""QR codes for reports and labels, drawn as vectors in reportlab.

qrcode's automatic mask choice tries all eight masks and costs about 20 ms a code; a
fixed mask is a valid QR code too (ISO/IEC 18004 allows any of the eight) and costs a
tenth of that.  The tests decode every code we draw with zxing-cpp, so a mask that read
badly would show.  The version is computed from the data's length (one byte-mode
segment), which spares qrcode's own search.

qrcode draws the function patterns; the codewords (the data stream and its Reed-Solomon
error correction) come from ``codewords``, which uses reedsolo (qrcode divides polynomials
object by object), and ``_QRCode.map_data`` places them along a walk of the free modules
computed once per version (qrcode walks the matrix anew, bit by bit, for every code).
Those were four fifths of a report's QR time.  tests/reports/test_qr.py checks that the
codewords and the matrices are qrcode's own, for every version.
"""
from __future__ import annotations

import functools
import itertools

import qrcode
import reedsolo
from qrcode.base import rs_blocks
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import BIT_LIMIT_TABLE

MASK = 4
BORDER = 4  # the quiet zone the standard asks for, in modules


def _version_for(data: bytes, error: int = ERROR_CORRECT_M) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(data) <= BIT_LIMIT_TABLE[error][version]:
            return version
    raise ValueError(f"{len(data)} bytes do not fit in a QR code")


@functools.lru_cache(maxsize=None)
def _codec(ec_count: int) -> reedsolo.RSCodec:
    """QR's Reed-Solomon code: GF(256) modulo x^8+x^4+x^3+x^2+1, generator 2, the
    generator polynomial's roots starting at 2^0 (ISO/IEC 18004 section 7.5.2)."""
    return reedsolo.RSCodec(ec_count, fcr=0, prim=0x11D, generator=2, c_exp=8)


def codewords(data: bytes, version: int, error: int = ERROR_CORRECT_M) -> list[int]:
    """The final codeword sequence of one byte-mode segment holding ``data``: mode,
    count, the bytes, terminator and padding, split into blocks, each block's error
    correction appended, data and error-correction codewords interleaved."""
    blocks = rs_blocks(version, error)
    capacity = sum(block.data_count for block in blocks)
    count_bits = 8 if version < 10 else 16
    bits = 4 + count_bits + 8 * len(data)
    if bits > capacity * 8:
        raise ValueError(f"{len(data)} bytes do not fit in a version {version} QR code")
    value = ((0b0100 << count_bits | len(data)) << 8 * len(data)) | \
        int.from_bytes(data, "big")
    terminator = min(capacity * 8 - bits, 4)
    to_byte = (-(bits + terminator)) % 8
    value <<= terminator + to_byte
    stream = list(value.to_bytes((bits + terminator + to_byte) // 8, "big"))
    stream += [0xEC, 0x11] * ((capacity - len(stream)) // 2 + 1)
    stream = stream[:capacity]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        part = stream[offset:offset + block.data_count]
        offset += block.data_count
        ec_count = block.total_count - block.data_count
        ec_blocks.append(list(_codec(ec_count).encode(bytearray(part)))[len(part):])
        data_blocks.append(part)
    out = []
    for group in (data_blocks, ec_blocks):
        for index in range(max(len(b) for b in group)):
            out.extend(b[index] for b in group if index < len(b))
    return out


class _QRCode(qrcode.QRCode):
    """qrcode's QRCode with a faster placement of the codewords (same modules)."""

    def map_data(self, data, mask_pattern):
        walk, flips = _walk(self.version, mask_pattern, self.modules)
        count = 8 * len(data)
        bits = format(int.from_bytes(bytes(data), "big"), f"0{count}b") if data else ""
        bits += "0" * (len(walk) - count)  # the remainder bits are light before masking
        modules = self.modules
        for (row, column), bit, flip in zip(walk, bits, flips):
            modules[row][column] = (bit == "1") != flip


def _walk(version: int, mask_pattern: int, modules) -> tuple[tuple, tuple]:
    """The free modules (None in ``modules``, the function patterns drawn) in placement
    order (ISO/IEC 18004 section 7.7.3: two-module columns from the right, up and down
    in turn, skipping the vertical timing pattern) and whether the mask flips each:
    qrcode's own walk, done once per version and mask."""
    key = (version, mask_pattern)
    if key not in _WALKS:
        from qrcode.util import mask_func
        mask, size = mask_func(mask_pattern), len(modules)
        walk, row, step = [], size - 1, -1
        for column in range(size - 1, 0, -2):
            if column <= 6:
                column -= 1
            while 0 <= row < size:
                walk.extend((row, c) for c in (column, column - 1)
                            if modules[row][c] is None)
                row += step
            row, step = row - step, -step
        _WALKS[key] = (tuple(walk), tuple(bool(mask(r, c)) for r, c in walk))
    return _WALKS[key]


_WALKS: dict[tuple[int, int], tuple[tuple, tuple]] = {}


def matrix(text: str, error: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The modules of the QR code for ``text`` (without the quiet zone)."""
    data = text.encode("utf-8")
    version = _version_for(data, error)
    code = _QRCode(version=version, error_correction=error, border=0, mask_pattern=MASK)
    code.add_data(data, optimize=0)
    code.data_cache = codewords(data, version, error)  # instead of qrcode's own
    code.make(fit=False)
    return code.get_matrix()


def draw(canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for ``text`` with its lower-left corner at (x, y), ``size``
    points wide including the quiet zone.

    The modules are written straight into the page as PDF path operators in module
    units (one ``re`` per run of dark modules, one fill): a thousand reportlab ``rect``
    calls would cost more than the rest of the report.
    """
    modules = matrix(text)
    n = len(modules) + 2 * BORDER
    unit = size / n
    ops = [f"q 1 g {x:.3f} {y:.3f} {size:.3f} {size:.3f} re f",
           f"0 g {unit:.5f} 0 0 {unit:.5f} {x:.3f} {y:.3f} cm"]
    for r, row in enumerate(modules):
        line = n - BORDER - 1 - r
        c = BORDER
        for dark, run in itertools.groupby(row):
            width = len(list(run))
            if dark:
                ops.append(f"{c} {line} {width} 1 re")
            c += width
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))


def png(text: str, scale: int = 8) -> bytes:
    """The QR code as PNG bytes (for the GUI and the verify page's tests)."""
    import io
    from PIL import Image
    modules = matrix(text)
    n = len(modules) + 2 * BORDER
    img = Image.new("1", (n, n), 1)
    pixels = img.load()
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                pixels[c + BORDER, r + BORDER] = 0
    img = img.resize((n * scale, n * scale), Image.NEAREST)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
