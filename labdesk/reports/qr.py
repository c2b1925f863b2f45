"""QR codes for reports and labels, drawn in reportlab as 1-bit image masks.

qrcode is the encoder.  It draws the function patterns (finders, alignment and timing
patterns, the format and version information) and gives the Galois field's tables and
the block tables.  Around it, three shortcuts make a report's code (its modules) cost
about a tenth of a millisecond, where qrcode with a fixed mask takes one or two:

- **A fixed mask.**  qrcode's automatic choice tries all eight masks (about 20 ms a
  code); a fixed mask is a valid QR code too (ISO/IEC 18004 allows any of the eight).
  The version is computed from the data's length (one byte-mode segment), which spares
  qrcode's own search.
- **The codewords** (the data stream and its Reed-Solomon error correction) are
  computed by ``codewords``, with a table of the generator polynomial's multiples
  (qrcode divides polynomials object by object).
- **The placement**: for each version, error level and mask, qrcode draws the function
  patterns once (``_Plan``); the free modules, in placement order, and the mask over
  them are kept.  A code is then its codewords as one string of bits, masked by one
  XOR, and laid out by one ``itemgetter`` (qrcode walks the matrix bit by bit).

tests/reports/test_qr.py checks that the codewords and the matrices are qrcode's own
for every version, error level and several masks, and the tests decode every code drawn.
"""
from __future__ import annotations

import functools
import operator

import qrcode
from qrcode.base import EXP_TABLE, LOG_TABLE, rs_blocks
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import BIT_LIMIT_TABLE, mask_func

MASK = 4
BORDER = 4  # the quiet zone the standard asks for, in modules


def version_for(data: bytes, error: int = ERROR_CORRECT_M) -> int:
    """The smallest version that holds ``data`` as one byte-mode segment."""
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(data) <= BIT_LIMIT_TABLE[error][version]:
            return version
    raise ValueError(f"{len(data)} bytes do not fit in a QR code")


@functools.lru_cache(maxsize=None)
def _multiples(ec_count: int) -> tuple[int, ...]:
    """For each byte f, f times the generator polynomial of degree ``ec_count``
    (without its leading 1), its coefficients as one big-endian integer.

    The generator is qrcode's: the product of (x - 2^i), i from 0 to ec_count - 1, in
    GF(256) modulo x^8+x^4+x^3+x^2+1 (ISO/IEC 18004 section 7.5.2)."""
    generator = [1]
    for i in range(ec_count):  # times (x + 2^i)
        product = generator + [0]
        for j, coefficient in enumerate(generator):
            if coefficient:
                product[j + 1] ^= EXP_TABLE[(LOG_TABLE[coefficient] + i) % 255]
        generator = product
    logs = [LOG_TABLE[g] if g else None for g in generator[1:]]
    table = [0]
    for f in range(1, 256):
        log_f = LOG_TABLE[f]
        table.append(int.from_bytes(bytes(
            EXP_TABLE[(log_f + lg) % 255] if lg is not None else 0 for lg in logs), "big"))
    return tuple(table)


def _error_correction(block: bytes, ec_count: int) -> bytes:
    """The remainder of block(x)·x^ec_count divided by the generator: a shift register
    of ``ec_count`` bytes held in one integer."""
    multiples = _multiples(ec_count)
    shift = 8 * (ec_count - 1)
    keep = (1 << shift) - 1
    register = 0
    for byte in block:
        register = ((register & keep) << 8) ^ multiples[byte ^ (register >> shift)]
    return register.to_bytes(ec_count, "big")


def codewords(data: bytes, version: int, error: int = ERROR_CORRECT_M) -> bytes:
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
    stream = value.to_bytes((bits + terminator + to_byte) // 8, "big")
    stream += b"\xec\x11" * ((capacity - len(stream)) // 2 + 1)
    stream = stream[:capacity]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        part = stream[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(part)
        ec_blocks.append(_error_correction(part, block.total_count - block.data_count))
    return _interleave(data_blocks) + _interleave(ec_blocks)


def _interleave(blocks: list[bytes]) -> bytes:
    """The blocks' first bytes, then their second bytes..., a block that has run out
    left out."""
    shortest = min(len(block) for block in blocks)
    out = bytearray(len(blocks) * shortest)
    for index, block in enumerate(blocks):
        out[index::len(blocks)] = block[:shortest]
    longer = [block[shortest:] for block in blocks if len(block) > shortest]
    return bytes(out) + _interleave(longer) if longer else bytes(out)


class _Blank(qrcode.QRCode):
    """qrcode's QRCode drawing only the function patterns (the data modules stay
    None)."""

    def map_data(self, data, mask_pattern):
        pass


class _Plan:
    """One version, error level and mask: where each free module's bit comes from.

    ``free`` modules are taken in placement order (ISO/IEC 18004 section 7.7.3:
    two-module columns from the right, up and down in turn, skipping the vertical
    timing pattern); ``flips`` has a 1 bit for each the mask darkens, the first free
    module the highest bit.  ``gather`` picks, for every module of the matrix row by
    row, a character of the free modules' bits followed by "01": its own bit, or the
    light or dark of a function module."""
    __slots__ = ("size", "free", "flips", "gather")

    def __init__(self, version: int, error: int, mask: int):
        code = _Blank(version=version, error_correction=error, border=0,
                      mask_pattern=mask)
        code.data_cache = []
        code.makeImpl(False, mask)
        modules = code.modules
        size = len(modules)
        walk, row, step = [], size - 1, -1
        for column in range(size - 1, 0, -2):
            if column <= 6:
                column -= 1
            while 0 <= row < size:
                walk.extend((row, c) for c in (column, column - 1)
                            if modules[row][c] is None)
                row += step
            row, step = row - step, -step
        flip = mask_func(mask)
        self.size, self.free = size, len(walk)
        self.flips = int("".join("1" if flip(r, c) else "0" for r, c in walk), 2)
        at = {place: index for index, place in enumerate(walk)}
        light, dark = self.free, self.free + 1
        self.gather = operator.itemgetter(*(
            at[r, c] if modules[r][c] is None else dark if modules[r][c] else light
            for r in range(size) for c in range(size)))


@functools.lru_cache(maxsize=None)
def _plan(version: int, error: int, mask: int) -> _Plan:
    return _Plan(version, error, mask)


def modules(data: bytes, version: int | None = None, error: int = ERROR_CORRECT_M,
            mask: int = MASK) -> list[str]:
    """The QR code's rows (without the quiet zone), "1" a dark module, "0" a light one,
    for one byte-mode segment holding ``data``."""
    if version is None:
        version = version_for(data, error)
    plan = _plan(version, error, mask)
    words = codewords(data, version, error)
    # the remainder bits after the codewords are light before masking
    value = (int.from_bytes(words, "big") << (plan.free - 8 * len(words))) ^ plan.flips
    grid = "".join(plan.gather(format(value, f"0{plan.free}b") + "01"))
    size = plan.size
    return [grid[start:start + size] for start in range(0, size * size, size)]


def matrix(text: str, error: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The modules of the QR code for ``text`` (without the quiet zone)."""
    return [[module == "1" for module in row] for row in modules(text.encode(), None,
                                                                 error)]


def side(text: str, error: int = ERROR_CORRECT_M) -> int:
    """How many modules wide the code for ``text`` is, with its quiet zone."""
    return 17 + 4 * version_for(text.encode(), error) + 2 * BORDER


def draw(canvas, text: str, x: float, y: float, size: float,
         error: int = ERROR_CORRECT_M) -> None:
    """Draw the QR code for ``text`` with its lower-left corner at (x, y), ``size``
    points wide including the quiet zone, at error correction level ``error``.

    The code is a 1-bit image mask written straight into the page (an inline image,
    its rows in hexadecimal, a dark module painted in the fill colour): 1.5 KB for a
    report's code, quick to write, where a path of the dark modules' runs is about 15 KB
    that take a millisecond to write, join and compress.
    ``/I false`` asks viewers not to smooth it: poppler and pdfium draw its modules as
    sharp squares at any zoom, and read it at 100 and 150 dpi as well as the path.
    """
    rows = modules(text.encode(), None, error)
    count = len(rows)
    unit = size / (count + 2 * BORDER)
    pad = -count % 8  # each row of the image starts on a byte
    data = "".join(format(int(row, 2) << pad, f"0{(count + pad) // 4}x") for row in rows)
    side, left, bottom = count * unit, x + BORDER * unit, y + BORDER * unit
    canvas.addLiteral(
        f"q 1 g {x:.3f} {y:.3f} {size:.3f} {size:.3f} re f\n"
        f"0 g {side:.5f} 0 0 {side:.5f} {left:.3f} {bottom:.3f} cm\n"
        f"BI /W {count} /H {count} /IM true /D [1 0] /I false /F /AHx ID\n{data}>\nEI Q")


def png(text: str, scale: int = 8) -> bytes:
    """The QR code as PNG bytes (for the GUI and the verify page's tests)."""
    import io
    from PIL import Image
    rows = modules(text.encode())
    n = len(rows) + 2 * BORDER
    img = Image.new("1", (n, n), 1)
    pixels = img.load()
    for r, row in enumerate(rows):
        for c, module in enumerate(row):
            if module == "1":
                pixels[c + BORDER, r + BORDER] = 0
    img = img.resize((n * scale, n * scale), Image.NEAREST)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
