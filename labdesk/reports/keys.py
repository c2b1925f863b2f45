"""The lab's Ed25519 signing keys: private keys in ``keys/`` (mode 0600), public keys in
the database so that reports signed by a retired key still verify."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

from labdesk.errors import IntegrityError, LabError, ValidationError, storage_error
from labdesk.reports.claims import key_id
from labdesk.store.disk import write_atomically


def new_key(keys_dir: Path) -> tuple[str, str]:
    """Make a key pair, write the private key (0600, atomically); returns (kid, public PEM)."""
    private = Ed25519PrivateKey.generate()
    kid = key_id(private.public_key())
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    action = "writing the lab's signing key"
    try:
        keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(keys_dir, 0o700)
    except OSError as exc:
        raise storage_error(exc, action) from exc
    # exclusive: a key is never written over a file someone else put there
    write_atomically(keys_dir / f"{kid}.key", pem, mode=0o600, action=action,
                     exclusive=True)
    return kid, public_pem(private.public_key())


def exposure(keys_dir: Path) -> list[str]:
    """What lets other users of this computer read or swap the lab's private keys: a key
    file that group or others may read or write, a keys folder they may enter or write to.
    One sentence each, with the command that fixes it; empty when all is well.

    ``load_private`` refuses to sign with an exposed key; call this when a lab is opened
    to warn before anyone tries to issue a report."""
    keys_dir = Path(keys_dir)
    problems = []
    try:
        folder_mode = stat.S_IMODE(keys_dir.stat().st_mode)
    except OSError:
        return [f"the keys folder {keys_dir} is missing or cannot be read"]
    if folder_mode & 0o077:
        problems.append(f"the keys folder {keys_dir} is open to other users (mode "
                        f"{folder_mode:o}); run: chmod 700 {keys_dir}")
    for path in sorted(keys_dir.glob("*.key")):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            problems.append(f"the signing key {path} is a symbolic link; keep the key "
                            f"file itself in {keys_dir}")
        elif mode & 0o077:
            problems.append(f"the signing key {path} can be read by other users (mode "
                            f"{mode:o}); LabDesk refuses to sign with it. Run: chmod 600 "
                            f"{path}")
    return problems


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise LabError("the public key is not an Ed25519 key")
    return key


def load_public_keys_file(path: Path) -> dict[str, Ed25519PublicKey]:
    """Every Ed25519 public key in a PEM file (a retailer's copy of the lab's keys)."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabError(f"public key: cannot read {path}: {exc}") from None
    keys = {}
    for block in text.split("-----END PUBLIC KEY-----"):
        if "-----BEGIN PUBLIC KEY-----" in block:
            pem = block[block.index("-----BEGIN"):] + "-----END PUBLIC KEY-----\n"
            try:
                key = load_public(pem)
            except (ValueError, LabError):
                raise LabError(f"public key: {path} holds a key that is not Ed25519") from None
            keys[key_id(key)] = key
    if not keys:
        raise LabError(f"public key: {path} holds no PEM public key")
    return keys


def load_private(keys_dir: Path, kid: str) -> Ed25519PrivateKey:
    """The private key ``kid``, refusing one that others may read or one that does not
    match its id."""
    path = keys_dir / f"{kid}.key"
    if not path.is_file():
        raise IntegrityError(f"the signing key {kid} is missing from {keys_dir}")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise IntegrityError(f"the signing key {path} can be read by other users (mode "
                             f"{mode:o}); LabDesk refuses to sign with it. Run: chmod 600 "
                             f"{path}")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise IntegrityError(f"the signing key {path} is damaged") from None
    except OSError as exc:
        raise IntegrityError(f"the signing key {path} cannot be read "
                             f"({exc.strerror or exc})") from None
    if not isinstance(key, Ed25519PrivateKey) or key_id(key.public_key()) != kid:
        raise IntegrityError(f"the signing key {path} is not the key {kid}")
    return key


#: The shortest passphrase a signing key is exported under.
MIN_PASSPHRASE = 10


def export_private(keys_dir: Path, kid: str, passphrase: str) -> bytes:
    """The private key ``kid`` as PEM encrypted with ``passphrase`` (PKCS#8, the best
    encryption ``cryptography`` has): what a desk that issues reports imports."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationError(f"passphrase: at least {MIN_PASSPHRASE} characters protect "
                              f"the lab's signing key", field="passphrase")
    key = load_private(keys_dir, kid)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(passphrase.encode()))


def import_private(keys_dir: Path, data: bytes, passphrase: str, known: set[str]) -> str:
    """Keep the exported key ``data`` in ``keys_dir`` (0600); returns its id.  Refused
    with one sentence: a wrong passphrase, a file that is no key, a key that is not one
    of the lab's (``known``: the ids of its public keys)."""
    try:
        key = serialization.load_pem_private_key(bytes(data), password=(passphrase or
                                                                         "").encode())
    except (ValueError, TypeError):
        raise ValidationError("key: the passphrase is wrong or the file is not an exported "
                              "LabDesk signing key", field="key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationError("key: the file holds no Ed25519 key", field="key")
    kid = key_id(key.public_key())
    if kid not in known:
        raise ValidationError(f"key: {kid} is not one of this lab's signing keys",
                              field="key")
    target = keys_dir / f"{kid}.key"
    if target.exists():
        load_private(keys_dir, kid)  # the one there is that key, readable by us alone
        return kid
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)
    write_atomically(target, pem, mode=0o600, action="keeping the lab's signing key",
                     exclusive=True)
    return kid
