"""A process killed with SIGKILL in the middle of an intake leaves the lab whole."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from labdesk.lab import Lab

STONES = 5000

WRITER = textwrap.dedent("""
    import sys
    from labdesk.lab import Lab
    lab = Lab.open(sys.argv[1])
    lab.login("tech", "tech-pass-1")
    stones = [{"client_ref": f"R{i}", "weight": f"{0.3 + i %% 700 / 1000:.3f}",
               "shape": "BR", "colour": "F", "clarity": "VS2"} for i in range(%d)]
    print("start", flush=True)
    lab.receive("Crash Test Client", stones, reference="KILLED")
    print("done", flush=True)
""" % STONES)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("crash") / "lab"
    lab = Lab.init(home, "Crash Lab", "admin", "admin-pass-1", "Ada Admin")
    lab.add_user("tech", "Tom Tech", "technician", "tech-pass-1")
    lab.close()
    return home


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9])
def test_sigkill_during_intake_leaves_all_or_nothing(template, tmp_path, delay):
    import shutil
    home = tmp_path / "lab"
    shutil.copytree(template, home)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(home)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "start"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    lab = Lab.open(home)
    try:
        lab.login("tech", "tech-pass-1")
        result = lab.check()
        assert result.ok, result.problems
        killed = lab.stones(search="KILLED", limit=1).total
        assert killed in (0, STONES)
        assert lab.stones().total == killed
        # the lab still takes new work after the crash
        sub = lab.receive("After Crash", [{"weight": "1.000"}])
        assert lab.check().ok
        assert sub.stones[0].number.startswith("D")
    finally:
        lab.close()
