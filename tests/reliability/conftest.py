"""The reliability tests' lab: the busy template of ``support.reliability`` (work in
every state, and the files an operation needs), built once per module.  The rest of the
family (``home``, a fresh copy per test; ``lab``, that copy opened with fast password
hashing) comes from ``support.labs``."""
import pytest

from support import reliability


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability")
    reliability.build_template(root / "home", root / "files")
    return root


@pytest.fixture(scope="module")
def template_home(template):
    return template / "home"
