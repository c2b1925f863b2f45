"""Benchmarks that print figures (never asserted): ``python -m labdesk.bench``.

    python -m labdesk.bench run --sizes 10000,100000,1000000 --out bench.md
    python -m labdesk.bench reports --count 200
    python -m labdesk.bench reassess --stones 1000000 --findings 100000

``run`` builds a lab of each size (store bulk path: same schema, indexes and
audit chain as real use) and measures what a lab feels: intake, lookups, search, the
Stones view, report issuance, check, backup, cold start and memory.
"""
from __future__ import annotations

import io
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def _rss_mb() -> float:
    """Current resident memory of this process (Linux), else the peak."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _bare_page(lines: list[str]) -> bytes:
    """The same text on a plain reportlab canvas: the floor a report cannot beat."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    y = 800
    for line in lines:
        canvas.drawString(40, y, line[:110])
        y -= 12
        if y < 40:
            canvas.showPage()
            y = 800
    canvas.save()
    return out.getvalue()


def _report_text(pdf_path: Path) -> list[str]:
    """The report's words, to lay on the bare page (pdftotext when present)."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"],
                             capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.strip()]
    return ["Diamond Origin Report " + "x" * 80] * 60


def _approve(lab, numbers):
    from labdesk.benchlab import PASSWORDS
    lab.login("tech", PASSWORDS["tech"])
    for n in numbers:
        lab.update_stone(n, measurements="6.41-6.45x3.95", cut="EX", polish="EX",
                         symmetry="VG", fluorescence="NON")
        lab.propose_finding(n, "non_russian", "BW", statement="Single-origin KP "
                            "certificate of the parcel names Botswana.")
    lab.login("sup", PASSWORDS["sup"])
    for n in numbers:
        lab.approve(n)


def measure_reports(lab, count: int) -> dict:
    """Issue ``count`` reports; ms per report beside a bare reportlab page, and how
    much of a report is its PDF (``pdf.build``, timed as the reports are issued) and
    its QR code (drawn again on a scratch canvas)."""
    from reportlab.pdfgen.canvas import Canvas
    from labdesk.reports import pdf, qr
    numbers = [s.number for s in lab.stones(state="received", limit=count).items]
    _approve(lab, numbers)
    times, builds = [], []
    build = pdf.build

    def timed_build(data):
        seconds, out = _timed(build, data)
        builds.append(seconds)
        return out

    pdf.build = timed_build
    try:
        for n in numbers:
            seconds, report = _timed(lab.issue_report, n)
            times.append(seconds)
    finally:
        pdf.build = build
    text = _report_text(report.pdf_path)
    bare = [_timed(_bare_page, text)[0] for _ in range(min(count, 50))]
    qr_times = [_timed(qr.draw, Canvas(io.BytesIO()), report.qr_text, 0, 0, 90)[0]
                for _ in range(20)]
    per = statistics.median(times)
    return {"reports": count, "per_report": per, "p95": _pct(times, .95),
            "bare": statistics.median(bare), "ratio": per / statistics.median(bare),
            "pdf": statistics.median(builds) if builds else float("nan"),
            "qr": statistics.median(qr_times), "qr_zxing": _zxing_writer(report.qr_text),
            "numbers": [report.number], "token_bytes": len(report.token)}


def _zxing_writer(text: str) -> float:
    """A yardstick for the QR code's cost: zxing-cpp's C++ writer making the same code
    (choosing its own mask), median ms of 20; NaN without its writer (zxing-cpp < 2.3)."""
    import zxingcpp
    if not hasattr(zxingcpp, "create_barcode"):
        return float("nan")
    return statistics.median(
        _timed(zxingcpp.create_barcode, text, zxingcpp.BarcodeFormat.QRCode,
               ec_level="M")[0] for _ in range(20))


def measure(home: Path, size: int, echo=print, database: str | None = None,
            check: bool = True) -> dict:
    """Build a lab of ``size`` stones at ``home`` (in the empty PostgreSQL database
    ``database`` when given, ``home`` its first desk) and take every figure of the table."""
    from labdesk import benchlab
    results: dict = {"size": size, "database": bool(database)}
    echo(f"building a lab of {size:,} stones…")
    seconds, lab = _timed(benchlab.build, home, size, database=database,
                          progress=lambda d, t: d % 100_000 == 0 and echo(f"  {d:,}"))
    results["build"] = seconds
    if database:
        results["db_mb"] = lab._db.execute(
            "SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
    else:
        results["db_mb"] = (home / "labdesk.db").stat().st_size / 1e6
    rng = random.Random(3)

    # intake of a 10,000-stone packing list, and the raw floors (medians of three: the
    # disk's fsync varies from run to run on a shared machine)
    rows = benchlab.packing_rows(10_000)
    runs = [_timed(lab.receive, "Bench Intake Client NV", rows, reference=f"PL-BENCH-{n}")
            for n in range(3)]
    seconds, sub = statistics.median(t for t, _ in runs), runs[0][1]
    results["intake_per_s"] = len(rows) / seconds
    from labdesk.core.stones import parse_stone_fields
    parsed = [parse_stone_fields(r) for r in rows]
    if database:  # PostgreSQL's floors: plain psycopg COPY
        floor = statistics.median(benchlab.pg_table_insert_seconds(database, parsed)
                                  for _ in range(3))
        bare = statistics.median(benchlab.pg_raw_insert_seconds(database, parsed)
                                 for _ in range(3))
    else:
        floor = statistics.median(benchlab.table_insert_seconds(home / "labdesk.db", parsed)
                                  for _ in range(3))
        bare = statistics.median(benchlab.raw_insert_seconds(home, parsed) for _ in range(3))
    results["intake_ratio"] = seconds / floor
    results["intake_ratio_bare"] = seconds / bare

    # the Audit page's first screen, its newest events the intakes' batch events
    results["audit_page"] = statistics.median(_timed(lab.audit_events, limit=200)[0]
                                              for _ in range(5))

    # report issuance (also gives report numbers to look up)
    reports = measure_reports(lab, 100)
    results.update({f"report_{k}": v for k, v in reports.items()})
    big = [s.number for s in sub.stones[:20]]  # stones of a 10,000-stone parcel
    _approve(lab, big)
    results["report_big_parcel"] = statistics.median(_timed(lab.issue_report, n)[0]
                                                     for n in big)

    total = lab.stones(limit=1).total
    numbers = [f"D{rng.randint(1, total):07d}" for _ in range(500)]
    samples = [_timed(lab.stone, n)[0] for n in numbers]
    results["lookup_stone"] = (_pct(samples, .5), _pct(samples, .95))
    report_nos = [r.number for r in lab.reports(limit=100).items]
    samples = [_timed(lab.report, rng.choice(report_nos))[0] for _ in range(500)]
    results["lookup_report"] = (_pct(samples, .5), _pct(samples, .95))
    kp = [e.reference for e in lab.submission_evidence(sub.stones[0].submission)] or []
    kp_refs = [lab.evidence(i).reference for i in rng.sample(range(1, max(2, size // 60)),
                                                             min(200, max(1, size // 60 - 1)))
               if lab.evidence(i).kind == "kp_certificate"] + kp
    samples = [_timed(lab.find, ref)[0] for ref in kp_refs[:300] or ["BW1"]]
    results["lookup_kp"] = (_pct(samples, .5), _pct(samples, .95))

    terms = list(benchlab.WORDS) + ["Client 01", "Botswana parcel", "PO-12", "R4242"]
    samples = [_timed(lab.stones, search=rng.choice(terms), limit=50)[0]
               for _ in range(200)]
    results["search"] = (_pct(samples, .5), _pct(samples, .95))

    results.update(_stones_view(lab))
    results.update(_dashboard(lab))
    if check:
        seconds, checked = _timed(lab.check)
        results["check"] = seconds
        results["check_ok"] = checked.ok
    lab.login("admin", benchlab.PASSWORDS["admin"])
    seconds, _ = _timed(lab.backup, home / "bench-backup.zip")
    results["backup"] = seconds
    (home / "bench-backup.zip").unlink()
    lab.close()
    results.update(_cold_start(home))
    return results


def _stones_view(lab) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    from labdesk.ui.views.stones import StonesModel
    app = QApplication.instance() or QApplication([])
    before = _rss_mb()
    start = time.perf_counter()
    model = StonesModel(lab)
    model.reload()
    first = time.perf_counter() - start
    for row in range(min(40, model.rowCount())):
        model.data(model.index(row, 0))
    from labdesk.ui.views.stones import PAGE
    pages = [_timed(model.data, model.index(PAGE * (k + 1), 0))[0] for k in range(5)
             if PAGE * (k + 1) < model.rowCount()]
    scroll = time.perf_counter()
    rows = model.rowCount()
    for row in range(0, rows, max(1, rows // 200)):  # dragging the scroll bar down
        model.data(model.index(row, 0))
    for row in range(max(0, rows - 40), rows):
        model.data(model.index(row, 0))
    scroll = time.perf_counter() - scroll
    after = _rss_mb()
    del model, app
    return {"view_first": first, "view_next": statistics.median(pages) if pages else 0,
            "view_scroll": scroll, "view_mem": after - before}


def _dashboard(lab) -> dict:
    """The Dashboard's first screen as a supervisor opens it: ``Lab.dashboard()`` read
    and the page drawn from it (refresh, then a grab), median of five."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    from labdesk.benchlab import PASSWORDS
    from labdesk.ui.views.dashboard import DashboardView
    app = QApplication.instance() or QApplication([])
    lab.login("sup", PASSWORDS["sup"])
    view = DashboardView(lab, None)
    view.resize(1100, 650)
    view.show()
    app.processEvents()
    screen = statistics.median(_timed(lambda: (view.refresh(), view.grab()))[0]
                               for _ in range(5))
    data = statistics.median(_timed(lab.dashboard)[0] for _ in range(5))
    view.close()
    view.deleteLater()
    app.processEvents()
    return {"dashboard_first": screen, "dashboard_data": data}


_COLD = """
import os, sys, time, resource
os.environ["QT_QPA_PLATFORM"] = "offscreen"
start = float(sys.argv[2])
from PySide6.QtWidgets import QApplication
from labdesk.lab import Lab
app = QApplication([])
lab = Lab.open(sys.argv[1])
lab.login("tech", "bench-tech-1")
from labdesk.ui.main_window import MainWindow
w = MainWindow(lab)
w.show()
app.processEvents()
print(time.time() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
w.close()
lab.close()
"""


def _cold_start(home: Path) -> dict:
    """A new process: Python, Qt, the lab opened, logged in, main window shown."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", _COLD, str(home), str(time.time())],
                             capture_output=True, text=True, env=env, timeout=300)
        if out.returncode != 0:
            return {"cold_start": float("nan"), "peak_rss_mb": float("nan")}
        seconds, rss = out.stdout.split()[-2:]
        runs.append((float(seconds), int(rss) / 1e3))
    return {"cold_start": statistics.median(r[0] for r in runs),
            "peak_rss_mb": max(r[1] for r in runs)}


def table(all_results: list[dict]) -> str:
    """The figures as a Markdown table, one column per lab size (and backend)."""
    def row(label, key, fmt, goal=""):
        cells = []
        for r in all_results:
            value = r.get(key)
            cells.append(fmt(value) if value is not None else "—")
        return f"| {label} | " + " | ".join(cells) + f" | {goal} |"
    pair = lambda v: f"{v[0] * 1000:.3f} / {v[1] * 1000:.3f} ms"  # noqa: E731
    head = "| measure | " + " | ".join(
        f"{r['size']:,} stones" + (" (PostgreSQL)" if r.get("database") else "")
        for r in all_results) + " | goal at 1M |"
    lines = [head, "|---|" + "---|" * len(all_results) + "---|",
             row("lab built (bulk path)", "build", lambda v: f"{v:.1f} s"),
             row("database size", "db_mb", lambda v: f"{v:.0f} MB"),
             row("intake of a 10,000-stone packing list", "intake_per_s",
                 lambda v: f"{v:,.0f} stones/s"),
             row("… ratio to raw sqlite3 executemany (PostgreSQL: psycopg COPY) into "
                 "the stones table", "intake_ratio", lambda v: f"{v:.1f} x", "≤ 3 x"),
             row("… ratio to the same into a bare table", "intake_ratio_bare",
                 lambda v: f"{v:.1f} x"),
             row("lookup by stone number p50 / p95", "lookup_stone", pair, "p95 < 1 ms"),
             row("lookup by report number p50 / p95", "lookup_report", pair, "p95 < 1 ms"),
             row("lookup by KP certificate p50 / p95", "lookup_kp", pair, "p95 < 1 ms"),
             row("free-text search p50 / p95", "search", pair, "p95 < 50 ms"),
             row("Stones view: model + first screen", "view_first", _ms, "< 100 ms"),
             row("Stones view: next page", "view_next", _ms),
             row("Stones view: scroll to the end", "view_scroll", lambda v: f"{v:.2f} s"),
             row("Stones view: memory after scrolling to the end", "view_mem",
                 lambda v: f"+{v:.0f} MB", "flat"),
             row("Dashboard: first screen (read and drawn)", "dashboard_first", _ms,
                 "< 200 ms"),
             row("… of which Lab.dashboard()", "dashboard_data", _ms),
             row("report issuance (median)", "report_per_report", _ms, "≤ 15 ms"),
             row("… for a stone of a 10,000-stone parcel", "report_big_parcel", _ms,
                 "≤ 15 ms"),
             row("… ratio to a bare reportlab page", "report_ratio",
                 lambda v: f"{v:.1f} x"),
             row("… of which the PDF (pdf.build)", "report_pdf", _ms),
             row("… of which the QR code (qr.draw)", "report_qr", _ms),
             row("Audit page: 200 newest events (30 intake batches)", "audit_page", _ms),
             row("Lab.check() over the whole lab", "check", lambda v: f"{v:.1f} s",
                 "< 60 s"),
             row("backup", "backup", lambda v: f"{v:.1f} s"),
             row("cold start to the main window", "cold_start", lambda v: f"{v:.2f} s",
                 "< 1.5 s"),
             row("peak RSS (cold start)", "peak_rss_mb", lambda v: f"{v:.0f} MB")]
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")),
                       cpu)
    except OSError:
        pass
    import sqlite3
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


@click.group()
def main():
    """LabDesk benchmarks (figures printed, nothing asserted)."""


@main.command()
@click.option("--sizes", default="10000", show_default=True,
              help="Comma-separated lab sizes in stones (one size with --database).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the table (Markdown) to this file.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build the labs here and keep them.")
@click.option("--database", default=None, metavar="DSN",
              help="Build the lab in this empty PostgreSQL database instead of SQLite, "
                   "then measure several desks at once (--desks).")
@click.option("--check/--no-check", default=True, show_default=True,
              help="Time Lab.check() over the whole lab.")
@click.option("--desks", default="1,4,8", show_default=True,
              help="With --database: how many desks at once (processes), comma-separated; "
                   "empty for none.")
@click.option("--desk-lists", default=2, show_default=True,
              help="Packing lists each desk receives.")
@click.option("--desk-list-size", default=5000, show_default=True,
              help="Stones in each of those packing lists.")
@click.option("--desk-approvals", default=30, show_default=True,
              help="Approvals (and reports) each desk makes.")
def run(sizes, out, keep, database, check, desks, desk_lists, desk_list_size, desk_approvals):
    """Build labs of each size and print one table (and, on PostgreSQL, the desks')."""
    sizes = [int(s) for s in sizes.split(",") if s.strip()]
    if database and len(sizes) != 1:
        raise click.UsageError("--database takes one size: the lab is built in that "
                               "(empty) database")
    results, desk_text = [], ""
    for size in sizes:
        base = Path(tempfile.mkdtemp(prefix="labdesk-bench-", dir=keep))
        try:
            results.append(measure(base / "lab", size, echo=click.echo, database=database,
                                   check=check))
            click.echo(table(results))
            if database and desks.strip():
                from labdesk import bench_desks
                columns = []
                for count in [int(d) for d in desks.split(",") if d.strip()]:
                    columns.append(bench_desks.measure_desks(
                        base / "lab", database, count, lists=desk_lists,
                        list_size=desk_list_size, approvals=desk_approvals,
                        echo=click.echo))
                    desk_text = bench_desks.table(columns, size)
                    click.echo(desk_text)
        finally:
            if keep is None:
                shutil.rmtree(base, ignore_errors=True)
    text = f"Machine: {machine()}\n\n{table(results)}\n"
    if database:
        text += f"\n{server(database)}\n"
    if desk_text:
        text += f"\n{desk_text}\n"
    click.echo(text)
    if out:
        out.write_text(text)


def server(dsn: str) -> str:
    """The PostgreSQL server measured: its version and the settings that matter."""
    import psycopg
    with psycopg.connect(dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("fsync", "synchronous_commit", "full_page_writes",
                                 "shared_buffers")}
    return f"PostgreSQL {version}: " + ", ".join(f"{k}={v}" for k, v in settings.items())


@main.command()
@click.option("--count", default=200, show_default=True, help="Reports to issue.")
def reports(count):
    """Issue COUNT reports and compare with a bare reportlab page."""
    from labdesk import benchlab
    tmp = Path(tempfile.mkdtemp(prefix="labdesk-bench-"))
    try:
        lab = benchlab.build(tmp / "lab", count)
        r = measure_reports(lab, count)
        lab.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    click.echo(f"reports issued          {r['reports']}")
    click.echo(f"per report (median)     {_ms(r['per_report'])}   p95 {_ms(r['p95'])}")
    click.echo(f"bare reportlab page     {_ms(r['bare'])}")
    click.echo(f"ratio report / bare     {r['ratio']:.1f} x")
    click.echo(f"  of which the PDF      {_ms(r['pdf'])}   (pdf.build; the rest: "
               f"claim, queries, writes, fsyncs)")
    click.echo(f"  of which the QR code  {_ms(r['qr'])}   (zxing-cpp's writer for the same "
               f"code: {_ms(r['qr_zxing'])})")
    click.echo(f"token length            {r['token_bytes']} bytes")


@main.command()
@click.option("--stones", default=1_000_000, show_default=True, help="Stones in the lab.")
@click.option("--findings", default=100_000, show_default=True,
              help="Stones with an approved finding among them.")
def reassess(stones, findings):
    """Time the re-assessment after a rules change (every standing finding assessed
    again under new versions of the three rulesets, the UK's without its KP proof)."""
    from labdesk import benchlab
    tmp = Path(tempfile.mkdtemp(prefix="labdesk-bench-"))
    saved = os.environ.get("LABDESK_RULESETS")
    try:
        seconds, lab = _timed(benchlab.build, tmp / "lab", stones)
        click.echo(f"lab of {stones:,} stones built in {seconds:.1f} s")
        seconds, made = _timed(benchlab.add_findings, lab, findings)
        click.echo(f"{made:,} approved findings added in {seconds:.1f} s")
        os.environ["LABDESK_RULESETS"] = str(benchlab.newer_rulesets(tmp / "rules"))
        rss = _rss_mb()
        seconds, review = _timed(lab.reassess)
        click.echo(f"re-assessment           {seconds:.2f} s for {review.reassessed:,} "
                   f"stones x {len(review.versions)} rulesets "
                   f"({seconds / max(review.reassessed, 1) * 1000:.3f} ms a stone)")
        click.echo(f"outcomes moved          {len(review.changes):,} "
                   f"({review.worse:,} for the worse)")
        click.echo(f"memory                  +{_rss_mb() - rss:.0f} MB")
        lab.close()
    finally:
        if saved is None:
            os.environ.pop("LABDESK_RULESETS", None)
        else:
            os.environ["LABDESK_RULESETS"] = saved
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
