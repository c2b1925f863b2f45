"""Fixtures the reliability tests share: a template lab built once per module, a fresh
copy of it per test, and that copy opened with cheap password hashing."""
import pytest

import reliability_support as support
from labdesk import Lab


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability")
    support.build_template(root / "home", root / "files")
    return root


@pytest.fixture
def home(template, tmp_path):
    return support.copy_home(template / "home", tmp_path / "home")


@pytest.fixture
def cheap(monkeypatch):
    """Argon2 at test strength: the tests log in hundreds of times."""
    from labdesk.core import passwords
    monkeypatch.setattr(passwords, "_HASHER", support.cheap_hasher())


@pytest.fixture
def lab(home, cheap):
    opened = Lab.open(home)
    yield opened
    opened.close()
