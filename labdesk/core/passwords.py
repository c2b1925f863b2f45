"""Password hashing with Argon2id (argon2-cffi); a clear password is never stored.

New passwords are hashed with the interactive-login parameters below.  Tests, which
create users and change passwords hundreds of times, may switch to test-only parameters
with :func:`fast_hashing` (or :func:`set_fast_hashing`).  Nothing in LabDesk calls
either, and no setting or environment variable turns fast hashing on: a weak hash is
only ever made by code that asks for it by name.  Verifying is unaffected by the switch,
as every hash carries its own parameters.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from labdesk.errors import ValidationError

# Interactive-login parameters (RFC 9106 second recommendation, lighter memory).
_STANDARD = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Test-only parameters: about 1 ms a password instead of about 50 ms.  Never for a lab.
_FAST = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
_HASHER = _STANDARD
MIN_LENGTH = 8


def set_fast_hashing(fast: bool) -> bool:
    """For tests only: hash new passwords with cheap parameters (``True``) or with the
    standard ones (``False``, the default).  Returns whether fast hashing was on before,
    so a caller can put it back."""
    global _HASHER
    was_fast = _HASHER is _FAST
    _HASHER = _FAST if fast else _STANDARD
    return was_fast


@contextlib.contextmanager
def fast_hashing() -> Iterator[None]:
    """For tests only: fast hashing inside the ``with`` block, the previous setting
    after it (see :func:`set_fast_hashing`)."""
    was_fast = set_fast_hashing(True)
    try:
        yield
    finally:
        set_fast_hashing(was_fast)


def check_strength(password: str) -> None:
    """A lab account's password: at least 8 characters, not all one character."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationError(f"password: at least {MIN_LENGTH} characters", field="password")
    if len(set(password)) < 3:
        raise ValidationError("password: too simple (use several different characters)",
                              field="password")


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed input."""
    if not isinstance(password, str) or not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
