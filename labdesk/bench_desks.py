"""Several desks at once on one PostgreSQL lab (issue 14): ``python -m labdesk.bench run
--database DSN --desks 1,4,8``.

Each desk is a process of its own with its own home (``Lab.join``), the signing key
imported from the first desk (``export_private_key`` / ``import_private_key``) and its
own technician and supervisor logged in.  The desks run the same phases in step (a
barrier between phases, so that every desk does the same kind of work at the same time):

1. intake: ``Lab.receive`` of packing lists;
2. (untimed) the technician grades and proposes a finding for some of its new stones;
3. approvals: the supervisor approves them (``Lab.approve``, timed each);
4. report issuance: ``Lab.issue_report`` for each (timed each);
5. lookups: ``Lab.stone`` of random stones, ``Lab.report`` of the reports issued;
6. the Stones view: the real ``StonesModel`` made and its first screen read.

Totals per second are over the phase's wall time (first desk's start to the last desk's
end).  Any exception a desk meets is recorded with its phase: there must be none.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import time
import traceback
from pathlib import Path

PASSPHRASE = "bench-desks-passphrase"
KEY_FILE = "signing-key.export"
PHASES = ("intake", "approve", "issue", "lookup", "view")


def prepare(first_home: Path, desks: int) -> Path:
    """At the first desk: a technician and a supervisor for each desk, and the signing
    key exported for the other desks; returns the exported key's path."""
    from labdesk.benchlab import PASSWORDS
    from labdesk.lab import Lab
    lab = Lab.open(first_home)
    try:
        lab.login("admin", PASSWORDS["admin"])
        have = {u.username for u in lab.users()}
        for i in range(1, desks + 1):
            if f"tech{i}" not in have:
                lab.add_user(f"tech{i}", f"Technician {i}", "technician", f"bench-tech-{i}x")
            if f"sup{i}" not in have:
                lab.add_user(f"sup{i}", f"Supervisor {i}", "supervisor", f"bench-sup-{i}x")
        key = first_home.parent / KEY_FILE
        if not key.exists():
            lab.export_private_key(key, PASSPHRASE)
        return key
    finally:
        lab.close()


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _desk(index: int, dsn: str, home: str, key: str, params: dict, barrier, out) -> None:
    """One desk's process (spawned): join, import the key, then the phases in step."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from labdesk.benchlab import PASSWORDS, packing_rows
    from labdesk.lab import Lab
    result: dict = {"desk": index, "errors": [], "times": {}, "span": {}}
    rng = random.Random(100 + index)
    lab = None
    state: dict = {"received": [], "reports": []}

    def setup():
        nonlocal lab
        lab = Lab.join(home, dsn)
        lab.login("admin", PASSWORDS["admin"])
        lab.import_private_key(key, PASSPHRASE)
        lab.login(f"tech{index}", f"bench-tech-{index}x")
        state["rows"] = [packing_rows(params["list_size"], seed=1000 * index + k)
                         for k in range(params["lists"])]
        state["total"] = lab.stones(limit=1).total

    def intake():
        times = []
        for k, rows in enumerate(state["rows"]):
            start = time.perf_counter()
            sub = lab.receive(f"Desk {index} Client", rows,
                              reference=f"DESK-{index}-{os.getpid()}-{k}")
            times.append(time.perf_counter() - start)
            state["received"].extend(s.number for s in sub.stones)
        result["stones"] = sum(len(r) for r in state["rows"])
        # untimed, before the next barrier: the technician's part of the approvals
        chosen = state["received"][:params["approvals"]]
        for n in chosen:
            lab.update_stone(n, measurements="6.41-6.45x3.95", cut="EX", polish="EX",
                             symmetry="VG", fluorescence="NON")
            lab.propose_finding(n, "non_russian", "BW", statement="Single-origin KP "
                                "certificate of the parcel names Botswana.")
        state["chosen"] = chosen
        lab.login(f"sup{index}", f"bench-sup-{index}x")
        return times

    def approve():
        times = []
        for n in state["chosen"]:
            start = time.perf_counter()
            lab.approve(n)
            times.append(time.perf_counter() - start)
        return times

    def issue():
        times = []
        for n in state["chosen"]:
            start = time.perf_counter()
            report = lab.issue_report(n)
            times.append(time.perf_counter() - start)
            state["reports"].append(report.number)
        return times

    def lookup():
        from labdesk.lab import stone_number
        times = []
        for _ in range(params["lookups"]):
            number = stone_number(rng.randint(1, state["total"]))
            start = time.perf_counter()
            lab.stone(number)
            times.append(time.perf_counter() - start)
        reports = state["reports"] or [None]
        if reports[0] is not None:
            for _ in range(params["lookups"] // 4):
                number = rng.choice(reports)
                start = time.perf_counter()
                lab.report(number)
                times.append(time.perf_counter() - start)
        return times

    def view():
        from PySide6.QtWidgets import QApplication
        from labdesk.ui.views.stones import StonesModel
        state["app"] = QApplication.instance() or QApplication([])  # kept alive
        times = []
        for _ in range(5):
            start = time.perf_counter()
            model = StonesModel(lab)
            model.reload()
            for row in range(min(40, model.rowCount())):
                model.data(model.index(row, 0))
            times.append(time.perf_counter() - start)
        return times

    steps = {"intake": intake, "approve": approve, "issue": issue, "lookup": lookup,
             "view": view}
    try:
        setup()
        ready = True
    except Exception:  # noqa: BLE001 - every error is reported, none shown here
        result["errors"].append(("setup", traceback.format_exc(limit=3)))
        ready = False
    for phase in PHASES:
        barrier.wait(timeout=params["timeout"])
        start = time.monotonic()
        if ready:
            try:
                result["times"][phase] = steps[phase]()
            except Exception:  # noqa: BLE001
                result["errors"].append((phase, traceback.format_exc(limit=3)))
        result["span"][phase] = (start, time.monotonic())
    if lab is not None:
        try:
            lab.close()
        except Exception:  # noqa: BLE001
            result["errors"].append(("close", traceback.format_exc(limit=3)))
    out.put(result)


def measure_desks(first_home: Path, dsn: str, desks: int, *, lists: int = 2,
                  list_size: int = 5000, approvals: int = 30, lookups: int = 400,
                  timeout: float = 1800, echo=print) -> dict:
    """``desks`` desks at once on the lab whose first desk is ``first_home``; the
    figures of one column of the desks table."""
    key = prepare(first_home, desks)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(desks)
    out = ctx.Queue()
    root = first_home.parent / f"desks-{desks}-{time.time_ns()}"
    root.mkdir()
    params = {"lists": lists, "list_size": list_size, "approvals": approvals,
              "lookups": lookups, "timeout": timeout}
    echo(f"{desks} desk(s) at once…")
    procs = [ctx.Process(target=_desk, args=(i, dsn, str(root / f"desk{i}"), str(key),
                                             params, barrier, out))
             for i in range(1, desks + 1)]
    for p in procs:
        p.start()
    results = []
    for _ in procs:
        try:
            results.append(out.get(timeout=timeout * len(PHASES)))
        except Exception:  # noqa: BLE001
            break
    for p in procs:
        p.join(timeout=60)
        if p.is_alive():
            p.kill()
    errors = [f"desk {r['desk']} {phase}: {text.strip().splitlines()[-1]}"
              for r in results for phase, text in r["errors"]]
    if len(results) < desks:
        errors.append(f"{desks - len(results)} desk(s) never reported")
        errors += [f"desk {p.name} exit code {p.exitcode}" for p in procs if p.exitcode]

    def pooled(phase):
        return [t for r in results for t in r["times"].get(phase, [])]

    def wall(phase):
        spans = [r["span"][phase] for r in results if phase in r["span"]]
        return max(e for _, e in spans) - min(s for s, _ in spans) if spans else float("nan")

    stones = sum(r.get("stones", 0) for r in results)
    approved, issued = pooled("approve"), pooled("issue")
    look, view = pooled("lookup"), pooled("view")
    return {"desks": desks, "errors": errors,
            "intake_per_s": stones / wall("intake") if stones else float("nan"),
            "intake_list": (_pct(pooled("intake"), .5), _pct(pooled("intake"), .95)),
            "approvals_per_s": len(approved) / wall("approve") if approved else float("nan"),
            "approve": (_pct(approved, .5), _pct(approved, .95)),
            "reports_per_s": len(issued) / wall("issue") if issued else float("nan"),
            "issue": (_pct(issued, .5), _pct(issued, .95)),
            "lookup": (_pct(look, .5), _pct(look, .95)),
            "view_first": (statistics.median(view) if view else float("nan"),
                           _pct(view, .95)),
            "counts": {"stones": stones, "approvals": len(approved), "reports": len(issued),
                       "lookups": len(look)}}


def table(all_results: list[dict], size: int) -> str:
    """The desks' figures as a Markdown table, one column per number of desks."""
    pair = lambda v: f"{v[0] * 1000:.2f} / {v[1] * 1000:.2f} ms"  # noqa: E731

    def row(label, key, fmt, goal=""):
        return f"| {label} | " + " | ".join(fmt(r[key]) for r in all_results) + \
            f" | {goal} |"
    head = "| at about {:,} stones | ".format(size) + " | ".join(
        f"{r['desks']} desk{'s' if r['desks'] > 1 else ''}" for r in all_results) + \
        " | goal with 8 desks at 1M |"
    lines = [head, "|---|" + "---|" * len(all_results) + "---|",
             row("intake, stones per second in total", "intake_per_s",
                 lambda v: f"{v:,.0f}/s", "≥ 10,000/s"),
             row("… one packing list p50 / p95 (s)", "intake_list",
                 lambda v: f"{v[0]:.2f} / {v[1]:.2f} s"),
             row("approvals per second in total", "approvals_per_s",
                 lambda v: f"{v:,.1f}/s"),
             row("approval p50 / p95", "approve", pair, "p95 < 50 ms"),
             row("reports issued per second in total", "reports_per_s",
                 lambda v: f"{v:,.1f}/s"),
             row("report issuance p50 / p95", "issue", pair, "p95 < 50 ms"),
             row("lookups (stone, report) p50 / p95", "lookup", pair, "p95 < 5 ms"),
             row("Stones view: model + first screen median / p95", "view_first", pair,
                 "< 100 ms"),
             row("errors seen by any desk", "errors",
                 lambda v: str(len(v)) if not v else f"{len(v)}: " + "; ".join(v[:3]),
                 "none"),
             row("work done (stones / approvals / reports / lookups)", "counts",
                 lambda c: f"{c['stones']:,} / {c['approvals']} / {c['reports']} / "
                           f"{c['lookups']}")]
    return "\n".join(lines)
