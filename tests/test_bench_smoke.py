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
