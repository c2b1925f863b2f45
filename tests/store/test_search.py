"""Free-text search over stones: both query paths agree, pages are stable, and a search
matching very many stones reports "more than" instead of counting them all."""
import pytest

from labdesk.lab import Lab
from labdesk.store import queries


@pytest.fixture
def lab(tmp_path, fast_passwords):
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


def test_every_received_stone_is_indexed_once_in_one_statement_per_batch(lab):
    """The store indexes new stones itself (no per-row trigger): all of them, once."""
    db = lab._db
    lab.receive("Kimberley Rough", [{"weight": "0.3", "client_ref": f"KR-{i}"}
                                    for i in range(2500)])
    stones, indexed = (db.execute(f"SELECT count(*), max({key}) FROM {table}").fetchone()
                       for table, key in (("stones", "id"), ("stones_fts", "rowid")))
    assert tuple(stones) == tuple(indexed) == (2517, 2517)
    assert lab.stones(search="KR-2499").total == 1
    assert lab.stones(search="kimberley").total == 2500
    assert not any(t[0] == "stones_fts_insert" for t in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall())


def test_check_reports_an_incomplete_index_and_reindex_repairs_it(lab):
    db = lab._db
    db.execute("DELETE FROM stones_fts WHERE rowid = 3")  # behind LabDesk's back
    assert lab.stones(search="feather").total == 11
    result = lab.check()
    assert not result.ok
    assert result.problems == ("search index: 16 entries for 17 stones (searches may miss "
                               "stones: an admin rebuilds it from the Audit page or with "
                               "`labdesk reindex`)",)
    assert lab.rebuild_search_index() == 17
    assert lab.check().ok and lab.stones(search="feather").total == 12
    event = lab.audit_events(action="lab.reindex").items[0]
    assert event.actor == "admin" and event.data["stones"] == 17


def test_only_an_admin_rebuilds_the_search_index(lab):
    from labdesk.errors import PermissionDenied
    lab.add_user("tom", "Tom Tech", "technician", "tech-pass-12")
    lab.login("tom", "tech-pass-12")
    with pytest.raises(PermissionDenied, match="rebuild the search index"):
        lab.rebuild_search_index()
    assert lab.audit_events(action="lab.reindex").total == 0


def test_earlier_words_match_whole_and_the_last_as_a_prefix():
    from labdesk.store.search_index import match_query
    assert match_query("Client 01") == '"Client" "01"*'
    assert match_query("gabor* feather") == '"gabor"* "feather"*'
    assert match_query("Client 01", every_word=True) == '"Client"* "01"*'
    assert match_query('say "hi" NEAR(x') == '"say" """hi""" "NEAR(x"*'
    assert match_query("  * ") == '""'


def test_a_search_falls_back_to_prefixes_when_whole_words_find_nothing(lab):
    assert lab.stones(search="Antwerp clo").total == 5      # whole, then a prefix
    assert lab.stones(search="antw clo").total == 5         # nothing whole: all prefixes
    assert lab.stones(search="antw clo", order="weight").total == 5
    assert lab.stones(search="Antwerp feather").total == 0  # no fallback finds it either
    lab.receive("Antwerpen Rough", [{"weight": "0.2", "notes": "cloud"}])
    assert lab.stones(search="Antwerp cloud").total == 5    # "Antwerp" whole: not Antwerpen
    assert lab.stones(search="Antwerp* cloud").total == 6   # unless asked for


def test_the_prefix_fallback_looks_under_the_same_filters(lab):
    """'gabor' is a whole word of one client and the beginning of another's name: with
    the other client chosen, the search still finds its stone."""
    lab.receive("Gabor Mining", [{"weight": "0.5", "notes": "feather"}])
    assert lab.stones(search="gabor feather").total == 1            # Gabor Mining's
    assert lab.stones(search="gabor feather", client="Gaborone Polished").total == 12
    assert lab.stones(search="gabor feather", client="Gaborone Polished",
                      order="weight").total == 12
