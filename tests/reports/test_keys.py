"""The private signing key file: written once, atomically, readable by its owner only."""
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from labdesk.errors import LabError
from labdesk.reports import keys
from labdesk.reports.claims import key_id


def test_new_key_writes_a_private_key_only_its_owner_may_read(tmp_path):
    folder = tmp_path / "keys"
    kid, pem = keys.new_key(folder)
    assert sorted(p.name for p in folder.iterdir()) == [f"{kid}.key"]  # no temporary file
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"{kid}.key").stat().st_mode) == 0o600
    assert keys.exposure(folder) == []
    private = keys.load_private(folder, kid)
    assert keys.public_pem(private.public_key()) == pem


def test_new_key_never_writes_over_a_file_already_there(tmp_path, monkeypatch):
    private = Ed25519PrivateKey.generate()
    monkeypatch.setattr(keys.Ed25519PrivateKey, "generate", staticmethod(lambda: private))
    folder = tmp_path / "keys"
    folder.mkdir()
    planted = folder / f"{key_id(private.public_key())}.key"
    planted.write_bytes(b"prepared by someone else")
    with pytest.raises(LabError, match="writing the lab's signing key failed: a file of "
                                       "that name is already there"):
        keys.new_key(folder)
    assert planted.read_bytes() == b"prepared by someone else"
    assert sorted(p.name for p in folder.iterdir()) == [planted.name]
