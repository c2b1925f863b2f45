"""One of two LabDesk instances working on the same lab at once (test_two_instances.py).

Usage: concurrency_worker.py HOME INDEX SECONDS RESULT.json SMALL.pdf

For SECONDS it loops: the technician receives one to three stones and proposes a finding
for each; the instance's supervisor approves what waits in the review queue (the other
instance's stones too, so both race for the same approvals); now and then it records
evidence with a scan, receives a large submission (holding the write lock longer), or
closes and reopens the lab (a window closed and opened again).  Everything the facade
returned, and every error it raised, goes to RESULT.json.
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the support package

from support import reliability  # noqa: E402
from labdesk import Lab, LabError, StateError  # noqa: E402


def main(home: str, index: str, seconds: str, result_path: str, scan: str) -> None:
    k = int(index)
    supervisor = f"sup{k}"
    pw = reliability.PASSWORDS
    out = {"received": {}, "proposed": [], "approved": [], "races": [], "errors": [],
           "evidence": [], "iterations": 0, "slowest_write": 0.0, "reopened": 0}
    lab = Lab.open(home)

    def timed(call, *args, **kwargs):
        started = time.monotonic()
        try:
            return call(*args, **kwargs)
        finally:
            out["slowest_write"] = max(out["slowest_write"], time.monotonic() - started)

    deadline = time.monotonic() + float(seconds)
    i = 0
    try:
        while time.monotonic() < deadline:
            i += 1
            try:
                lab.login("tech", pw["tech"])
                count = 300 if i % 15 == 0 else 1 + i % 3
                rows = [{"client_ref": f"P{k}-{i}-{j}", "weight": "0.500",
                         "identification": "natural"} for j in range(count)]
                sub = timed(lab.receive, reliability.CLIENT, rows, reference=f"P{k}-{i}")
                for stone in sub.stones:
                    out["received"][stone.number] = stone.client_ref
                if i % 10 == 0:
                    ev = timed(lab.add_evidence, sub.stones[0].number, "other",
                               reference=f"EV-{k}-{i}")
                    timed(lab.attach, ev.id, scan)
                    out["evidence"].append(ev.id)
                for stone in sub.stones[:3]:
                    timed(lab.propose_finding, stone.number, "undetermined")
                    out["proposed"].append(stone.number)
                lab.login(supervisor, pw[supervisor])
                for finding in lab.review_queue()[:3]:
                    try:
                        timed(lab.approve, finding.stone, comment="ok",
                              password=pw[supervisor])
                        out["approved"].append(finding.stone)
                    except StateError as exc:  # the other instance decided it first
                        out["races"].append(str(exc))
                if i % 7 == 0:
                    lab.close()
                    lab = Lab.open(home)
                    out["reopened"] += 1
            except LabError as exc:
                out["errors"].append(f"{type(exc).__name__}: {exc}")
            except Exception:  # noqa: BLE001 - a traceback a user would see
                out["errors"].append(traceback.format_exc())
                break
    finally:
        out["iterations"] = i
        lab.close()
        Path(result_path).write_text(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:6])
