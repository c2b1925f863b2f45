"""Password hashing with Argon2id (argon2-cffi); a clear password is never stored."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from labdesk.errors import ValidationError

# Interactive-login parameters (RFC 9106 second recommendation, lighter memory).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
MIN_LENGTH = 8


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
