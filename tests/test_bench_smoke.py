"""The benchmark runs end to end on a 10,000-stone lab (figures printed, never asserted:
speed is measured by ``python -m labdesk.bench``, not by tests)."""
import math

from labdesk import bench


def test_benchmark_runs_at_10k(tmp_path, capsys):
    results = bench.measure(tmp_path / "lab", 10_000, echo=lambda *_: None)
    table = bench.table([results])
    print(table)
    assert results["check_ok"], "the benchmark's lab must pass its own check"
    for key in ("intake_per_s", "search", "view_first", "report_per_report", "check",
                "backup", "cold_start"):
        value = results[key]
        first = value[0] if isinstance(value, tuple) else value
        assert first > 0 and not math.isnan(first), key
    assert table.count("\n") >= 18 and "10,000 stones" in table


def test_benchmark_runs_on_postgresql_with_desks(tmp_path, pg_server):
    """The PostgreSQL table and the desks' table at a tiny size (issue 14, item 10):
    the lab built in the server, two desks at once as processes, no desk sees an error."""
    from labdesk import bench_desks
    dsn = pg_server.create_database("bench_smoke")
    results = bench.measure(tmp_path / "lab", 1_000, echo=lambda *_: None, database=dsn)
    table = bench.table([results])
    print(table)
    assert results["check_ok"], "the benchmark's lab must pass its own check"
    for key in ("intake_per_s", "intake_ratio", "lookup_stone", "search", "view_first",
                "report_per_report", "check", "backup"):
        value = results[key]
        first = value[0] if isinstance(value, tuple) else value
        assert first > 0 and not math.isnan(first), key
    assert "1,000 stones (PostgreSQL)" in table
    desks = bench_desks.measure_desks(tmp_path / "lab", dsn, 2, lists=1, list_size=200,
                                      approvals=2, lookups=20, timeout=300,
                                      echo=lambda *_: None)
    print(bench_desks.table([desks], 1_000))
    assert desks["errors"] == []
    assert desks["counts"] == {"stones": 400, "approvals": 4, "reports": 4, "lookups": 50}
    for key in ("intake_per_s", "approvals_per_s", "reports_per_s"):
        assert desks[key] > 0, key
    assert "PostgreSQL" in bench.server(dsn)
