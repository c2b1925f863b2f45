"""Reads never wait for long work: check() reads its own snapshot of the database, so a
page's lookups and lists answer while it runs (issue 13, item 3)."""
from __future__ import annotations

import threading
import time

import pytest

from labdesk import benchlab


@pytest.mark.slow
def test_lookups_and_lists_answer_while_check_runs_on_100000_stones(tmp_path):
    lab = benchlab.build(tmp_path / "lab", 100_000)
    try:
        number = lab.stones(limit=1, offset=54_321).items[0].number
        started, finished = threading.Event(), threading.Event()
        result = {}

        def run_check():
            started.set()
            result["check"] = lab.check()
            finished.set()

        worker = threading.Thread(target=run_check)
        worker.start()
        started.wait(5)
        time.sleep(0.3)                      # well into the walk of the audit chain
        assert not finished.is_set(), "check() ended too soon to show anything"
        answers = []
        for _ in range(5):
            begin = time.perf_counter()
            stone = lab.stone(number)
            page = lab.stones(limit=50)
            answers.append(time.perf_counter() - begin)
            assert stone.number == number and len(page.items) == 50
        assert not finished.is_set(), (
            f"the reads waited for check() to end (they took {sum(answers):.2f} s)")
        worker.join(120)
        assert result["check"].ok, result["check"].problems[:3]
    finally:
        lab.close()


def test_a_service_calling_back_through_the_door_is_refused_at_once(tmp_path):
    from labdesk import Lab
    lab = Lab.init(tmp_path / "lab", "Door Lab", "ada", "door-pass-1", "Ada Door")
    try:
        with lab._ctx.door:
            with pytest.raises(RuntimeError, match="entered again from inside"):
                lab.users()
        assert [u.username for u in lab.users()] == ["ada"]   # the door opens again
    finally:
        lab.close()
