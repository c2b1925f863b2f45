"""Benchmarks that print figures (never asserted): ``python -m labdesk.bench``.

    python -m labdesk.bench reports --count 200

Report issuance: milliseconds per report (claim, signature, QR, PDF, database and audit),
beside a bare reportlab page holding the same text, and the ratio of the two; the parts
(QR matrix, PDF build, signature) are timed on their own too.
"""
from __future__ import annotations

import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import click


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


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


def _approved_lab(home: Path, count: int):
    from labdesk.core import passwords
    from labdesk.lab import Lab
    lab = Lab.init(home, "Benchmark Laboratory", "admin", "bench-admin-1", "Ada Admin",
                   address="1 Diamond Street\nAntwerp", verify_url="https://verify.example/")
    lab.add_user("tech", "Tom Tech", "technician", "bench-tech-1")
    lab.add_user("sup", "Sue Sup", "supervisor", "bench-sup-1")
    lab.login("tech", "bench-tech-1")
    sub = lab.receive("Benchmark Client NV", [
        {"weight": f"{0.5 + i % 300 / 100:.3f}", "shape": "BR", "colour": "F",
         "clarity": "VS1", "cut": "EX", "polish": "EX", "symmetry": "VG",
         "fluorescence": "NON", "measurements": "6.41-6.45x3.95", "identification": "natural",
         "client_ref": f"B{i}"} for i in range(count)])
    lab.add_evidence(sub.number, "kp_certificate", reference="BW9999", issuer="BW KPA",
                     issuing_country="BW", issued_on=sub.received_at[:10],
                     origin_countries=["BW"], origin_type="single", weight="99999")
    numbers = [s.number for s in sub.stones]
    for n in numbers:
        lab.propose_finding(n, "non_russian", "BW", statement="Single-origin KP certificate "
                            "of the parcel names Botswana.")
    lab.login("sup", "bench-sup-1")
    for n in numbers:
        lab.approve(n)
    del passwords
    return lab, numbers


def bench_reports(count: int) -> dict:
    from labdesk.reports import claims, qr
    tmp = Path(tempfile.mkdtemp(prefix="labdesk-bench-"))
    try:
        lab, numbers = _approved_lab(tmp / "lab", count)
        times = []
        for n in numbers:
            start = time.perf_counter()
            report = lab.issue_report(n)
            times.append(time.perf_counter() - start)
        text = subprocess_text(report.pdf_path)
        bare = []
        for _ in range(min(count, 50)):
            start = time.perf_counter()
            _bare_page(text)
            bare.append(time.perf_counter() - start)
        qr_times = []
        for _ in range(20):
            start = time.perf_counter()
            qr.matrix(report.qr_text)
            qr_times.append(time.perf_counter() - start)
        kid, private = lab._signing_key()
        sign_times = []
        for _ in range(200):
            start = time.perf_counter()
            claims.sign(private, report.claim)
            sign_times.append(time.perf_counter() - start)
        lab.close()
        per_report = statistics.median(times)
        per_bare = statistics.median(bare)
        return {"reports": count, "per_report": per_report, "p95": sorted(times)[
            int(0.95 * (len(times) - 1))], "bare_page": per_bare,
                "ratio": per_report / per_bare, "qr": statistics.median(qr_times),
                "sign": statistics.median(sign_times),
                "token_bytes": len(report.token)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def subprocess_text(pdf_path: Path) -> list[str]:
    """The report's words, to lay on the bare page (pdftotext when present, else a
    fixed text of the same size)."""
    import shutil as sh
    import subprocess
    if sh.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"],
                             capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.strip()]
    return ["Diamond Origin Report " + "x" * 80] * 60


@click.group()
def main():
    """LabDesk benchmarks (figures printed, nothing asserted)."""


@main.command()
@click.option("--count", default=200, show_default=True, help="Reports to issue.")
def reports(count):
    """Issue COUNT reports and compare with a bare reportlab page."""
    r = bench_reports(count)
    click.echo(f"reports issued          {r['reports']}")
    click.echo(f"per report (median)     {_ms(r['per_report'])}   p95 {_ms(r['p95'])}")
    click.echo(f"bare reportlab page     {_ms(r['bare_page'])}")
    click.echo(f"ratio report / bare     {r['ratio']:8.1f} x")
    click.echo(f"  of which QR matrix    {_ms(r['qr'])}")
    click.echo(f"  of which signature    {_ms(r['sign'])}")
    click.echo(f"token length            {r['token_bytes']} bytes")


if __name__ == "__main__":
    main()
