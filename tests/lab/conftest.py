"""The facade's tests run on both backends: SQLite (one desk) and PostgreSQL (several
desks), on a throwaway server the tests start themselves (``support.postgres``).

A test about one backend's own files (SQLite's database file, a damaged file, SQLite's
ALTER TABLE) says so with ``@pytest.mark.backends("sqlite")``; its other runs are
deselected, and counted as such in the summary."""
import pytest


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def pytest_collection_modifyitems(config, items):
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("backends")
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        if marker and backend and backend not in marker.args:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
