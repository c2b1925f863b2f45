"""The QR codewords LabDesk computes (reedsolo) are the ones qrcode computes, and the
codes decode."""
import random

import pytest
import qrcode
from qrcode import util
from qrcode.constants import (ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M,
                              ERROR_CORRECT_Q)

from labdesk.reports import qr

LEVELS = (ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q, ERROR_CORRECT_H)


def _qrcode_own(data: bytes, version: int, error: int) -> list[int]:
    return util.create_data(version, error, [util.QRData(data, mode=util.MODE_8BIT_BYTE)])


@pytest.mark.parametrize("error", LEVELS)
def test_codewords_are_qrcodes_own_for_every_version(error):
    rng = random.Random(error)
    for version in range(1, 41):
        limit = util.BIT_LIMIT_TABLE[error][version]
        count_bits = 8 if version < 10 else 16
        most = (limit - 4 - count_bits) // 8
        for size in {1, most // 2, most}:  # with padding, and filling the code
            data = rng.randbytes(size)
            assert qr.codewords(data, version, error) == _qrcode_own(data, version, error), \
                (version, size)


def test_data_too_long_for_the_version_is_refused():
    with pytest.raises(ValueError, match="do not fit in a version 1 QR code"):
        qr.codewords(b"x" * 15, 1, ERROR_CORRECT_M)


def test_the_matrix_is_the_one_qrcode_draws_with_the_same_mask():
    text = "https://verify.example/#LD1." + "A" * 300 + ".sig"
    data = text.encode()
    code = qrcode.QRCode(version=qr._version_for(data), error_correction=ERROR_CORRECT_M,
                         border=0, mask_pattern=qr.MASK)
    code.add_data(data, optimize=0)
    code.make(fit=False)
    assert qr.matrix(text) == code.get_matrix()


def test_a_drawn_code_decodes_to_its_text():
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    import io
    text = "LD1.payload-with-every-char_~!é." + "z" * 200
    image = Image.open(io.BytesIO(qr.png(text)))
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == text


@pytest.mark.parametrize("mask", [qr.MASK, 0, 7])
def test_the_placement_is_qrcodes_own_for_every_version(mask):
    rng = random.Random(mask)
    for version in range(1, 41):
        most = (util.BIT_LIMIT_TABLE[ERROR_CORRECT_M][version] - 20) // 8
        data = rng.randbytes(rng.randint(1, most))
        ours = qr._QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0,
                          mask_pattern=mask)
        theirs = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M,
                               border=0, mask_pattern=mask)
        for code in (ours, theirs):
            code.add_data(data, optimize=0)
            code.make(fit=False)
        assert ours.get_matrix() == theirs.get_matrix(), version
