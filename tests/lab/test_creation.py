"""Creating a lab is all or nothing: it is built beside its home and moved into place,
so an interrupted creation leaves nothing behind and a second try works (issue 16,
item 22)."""
from __future__ import annotations

import os

import pytest

from labdesk import Lab, LabError
from labdesk.reports import keys


def _init(home):
    return Lab.init(home, "Creation Lab", "ada", "creation-pass-1", "Ada Creator")


def test_a_creation_that_fails_half_way_leaves_nothing_and_can_be_tried_again(
        tmp_path, monkeypatch, fast_passwords):
    home = tmp_path / "lab"

    def broken(*_args, **_kwargs):
        raise OSError("the power went off")
    monkeypatch.setattr(keys, "new_key", broken)
    with pytest.raises(OSError):
        _init(home)
    assert not home.exists()
    assert list(tmp_path.iterdir()) == []            # no staging folder left either
    monkeypatch.undo()
    lab = _init(home)
    try:
        assert lab.user.username == "ada" and lab.check().ok
    finally:
        lab.close()


def test_a_killed_creation_s_staging_folder_is_cleared_by_the_next(tmp_path,
                                                                   fast_passwords):
    dead = tmp_path / ".lab.creating-999999999-abc"
    (dead / "documents").mkdir(parents=True)
    lab = _init(tmp_path / "lab")
    lab.close()
    assert not dead.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lab"]


def test_a_home_with_empty_lab_folders_is_used_and_one_with_other_files_refused(
        tmp_path, fast_passwords):
    home = tmp_path / "lab"
    (home / "documents").mkdir(parents=True)
    lab = _init(home)
    lab.close()
    assert Lab.open(home).close() is None
    other = tmp_path / "busy"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(LabError, match="already holds notes.txt; create the lab in an "
                                       "empty folder"):
        _init(other)
    assert sorted(os.listdir(other)) == ["notes.txt"]
