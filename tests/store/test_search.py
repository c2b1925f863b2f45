"""Free-text search over stones: both query paths agree, pages are stable, and a search
matching very many stones reports "more than" instead of counting them all."""
import pytest

from labdesk.lab import Lab
from labdesk.store import queries


@pytest.fixture
def lab(tmp_path):
    lab = Lab.init(tmp_path / "lab", "Search Lab", "admin", "admin-pass-1", "Ada Admin")
    lab.receive("Gaborone Polished", [{"weight": "0.5", "notes": f"feather {i}"}
                                      for i in range(12)])
    lab.receive("Antwerp Brilliant", [{"weight": "0.7", "notes": "cloud"} for _ in range(5)])
    yield lab
    lab.close()


@pytest.mark.parametrize("descending", [False, True])
def test_the_fts_path_and_the_sorted_path_find_the_same_stones(lab, descending):
    by_number = lab.stones(search="gabor feather", descending=descending, limit=100)
    by_weight = lab.stones(search="gabor feather", order="weight", limit=100)
    assert by_number.total == by_weight.total == 12
    numbers = [s.number for s in by_number.items]
    assert numbers == sorted(numbers, reverse=descending)
    assert set(numbers) == {s.number for s in by_weight.items}
    pages = [s.number for offset in (0, 5, 10)
             for s in lab.stones(search="feather", descending=descending, offset=offset,
                                 limit=5).items]
    assert pages == numbers


def test_a_search_matching_too_many_says_more_than(lab, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    page = lab.stones(search="feather")
    assert page.total == 4 and page.more_than == 3            # "more than 3"
    assert lab.stones(search="gabor 11").more_than is None
    assert lab.stones(search="cloud").total == 4
    assert lab.stones(search="feather", state="received").total == 4
    assert lab.stones().total == 17                           # no search: exact
    assert lab.stones(client="Antwerp Brilliant").total == 5


def test_search_combines_with_filters(lab):
    assert lab.stones(search="cloud", client="Antwerp Brilliant").total == 5
    assert lab.stones(search="cloud", client="Gaborone Polished").total == 0
    assert lab.stones(search="feather", state="approved").total == 0
