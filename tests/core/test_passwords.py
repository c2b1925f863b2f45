"""Password hashing: the standard Argon2id parameters by default, the test-only switch."""
import pytest

from labdesk.core import passwords
from labdesk.errors import ValidationError


def _parameters(stored_hash: str) -> str:
    return stored_hash.split("$")[3]  # $argon2id$v=19$m=...,t=...,p=...$salt$hash


def test_new_passwords_are_hashed_with_the_standard_parameters():
    stored = passwords.hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert _parameters(stored) == "m=19456,t=2,p=1"
    assert passwords.verify_password(stored, "correct horse")
    assert not passwords.verify_password(stored, "wrong horse")


def test_fast_hashing_is_on_only_inside_its_block():
    with passwords.fast_hashing():
        fast = passwords.hash_password("correct horse")
        with passwords.fast_hashing():
            pass
        assert _parameters(passwords.hash_password("correct horse")) == "m=64,t=1,p=1"
    assert _parameters(fast) == "m=64,t=1,p=1"
    assert _parameters(passwords.hash_password("correct horse")) == "m=19456,t=2,p=1"
    # a hash carries its parameters: either kind verifies whatever the switch says
    assert passwords.verify_password(fast, "correct horse")
    with passwords.fast_hashing():
        assert passwords.verify_password(passwords.hash_password("a-b-c-d-e"), "a-b-c-d-e")


def test_set_fast_hashing_returns_the_previous_setting():
    assert passwords.set_fast_hashing(True) is False
    try:
        assert passwords.set_fast_hashing(True) is True
    finally:
        assert passwords.set_fast_hashing(False) is True
    assert _parameters(passwords.hash_password("correct horse")) == "m=19456,t=2,p=1"


def test_the_fast_passwords_fixture_switches_for_one_test(fast_passwords):
    assert _parameters(passwords.hash_password("correct horse")) == "m=64,t=1,p=1"


@pytest.mark.parametrize("weak", ["short", "aaaaaaaaaa", "abababab", 12345678])
def test_weak_passwords_are_refused_whatever_the_hashing(weak):
    for fast in (False, True):
        previous = passwords.set_fast_hashing(fast)
        try:
            with pytest.raises(ValidationError):
                passwords.hash_password(weak)
        finally:
            passwords.set_fast_hashing(previous)
