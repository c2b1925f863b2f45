"""The stones' full-text index (SQLite FTS5): what a search box finds a stone by.

A stone is found by its number, the client's reference, its inscription and notes, and by
its submission's client name and reference.  The index is derived data: it is rebuilt from
the tables at will, and ``problems`` reports a stone it lacks.

New stones are indexed by ``add_stones`` with one ``INSERT ... SELECT`` per batch, not by
a trigger: FTS5 writes its pending terms out at every statement boundary, so a trigger
(one nested statement per row) made a new index segment per stone and cost four times
the insert of the stones themselves.  Changes to indexed columns are still followed by
triggers (one row at a time, where that cost does not arise).
"""
from __future__ import annotations

import re
import unicodedata

from labdesk.store.connection import is_pg

_SELECT = """
SELECT st.id, st.number, st.client_ref, st.inscription, st.notes, c.name, su.reference
FROM stones st JOIN submissions su ON su.id = st.submission_id
JOIN clients c ON c.id = su.client_id
"""
# OR REPLACE: an entry left by a stone deleted behind LabDesk's back (check() reports
# that) must not stop the next intake from indexing the stone that takes its id.
_INSERT = ("INSERT OR REPLACE INTO stones_fts(rowid, number, client_ref, inscription, "
           "notes, client, reference) ")


# PostgreSQL's index (pg_schema: ``stones_search``, a tsvector of the same words, folded
# by ``labdesk_fold`` as ``fold`` folds a search); changes are followed by its triggers.
_INSERT_PG = ("INSERT INTO stones_search (id, doc) SELECT st.id, labdesk_search_doc(st.id) "
              "FROM stones st ")
_UPSERT_PG = " ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc"
#: A stone matches the search (its query text the one parameter).
IN_INDEX = "st.id IN (SELECT rowid FROM stones_fts WHERE stones_fts MATCH ?)"
IN_INDEX_PG = ("st.id IN (SELECT id FROM stones_search WHERE doc @@ "
               "to_tsquery('simple', ?))")



def matching(db) -> str:
    """SQL of the ids of the stones that match the search (its one parameter)."""
    if is_pg(db):
        return "SELECT id FROM stones_search WHERE doc @@ to_tsquery('simple', ?)"
    return "SELECT rowid FROM stones_fts WHERE stones_fts MATCH ?"


def add_stones(db, first_id: int, last_id: int) -> None:
    """Index the stones ``first_id`` to ``last_id`` (just inserted, in the caller's
    transaction)."""
    if is_pg(db):
        db.execute(_INSERT_PG + "WHERE st.id BETWEEN ? AND ?" + _UPSERT_PG,
                   [first_id, last_id])
        return
    db.execute(_INSERT + _SELECT + "WHERE st.id BETWEEN ? AND ?", [first_id, last_id])


def rebuild(db) -> int:
    """Empty the index and index every stone again (in the caller's transaction); returns
    how many stones it holds."""
    if is_pg(db):
        db.execute("DELETE FROM stones_search")
        return db.execute(_INSERT_PG).rowcount
    db.execute("DELETE FROM stones_fts")
    return db.execute(_INSERT + _SELECT).rowcount


def problems(db) -> list[str]:
    """Stones the index lacks (or holds twice, or no longer has a stone for), by count:
    the index has as many rows as the stones table and the same last row."""
    stones = db.execute("SELECT count(*), max(id) FROM stones").fetchone()
    indexed = db.execute("SELECT count(*), max(id) FROM stones_search" if is_pg(db) else
                         "SELECT count(*), max(rowid) FROM stones_fts").fetchone()
    if tuple(stones) == tuple(indexed):
        return []
    return [f"search index: {indexed[0]:,} entries for {stones[0]:,} stones (searches "
            f"may miss stones: an admin rebuilds it from the Audit page or with "
            f"`labdesk reindex`)"]


def match_query(text: str, every_word: bool = False) -> str:
    """User text -> an FTS5 query: every word must match, the last one as a prefix (it
    may still be being typed), the others whole; with ``every_word`` each as a prefix.
    A word the user ends with ``*`` is a prefix wherever it stands.

    Whole earlier words are what search boxes do ("prefix last", Algolia's default), and
    what keeps a search fast: FTS5 gathers a prefix's matches in full before it joins
    them, which for a word every stone carries ("Client ...") costs 30 ms a million
    stones.  ``queries.list_stones`` falls back to ``every_word`` when that finds nothing.
    Quoting each word keeps FTS5's own syntax (``AND``, ``NEAR``, ``-``, ``:``) out of
    the user's hands.
    """
    words = [w for w in str(text).split() if w.strip('*"')]
    terms = []
    for index, word in enumerate(words):
        prefix = every_word or word.endswith("*") or index == len(words) - 1
        terms.append('"' + word.rstrip("*").replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms) or '""'


def fold(text: str) -> list[str]:
    """A search word as PostgreSQL's index holds words: lower case, without accents,
    split at anything not a letter or digit (FTS5's unicode61 tokenizer does the same)."""
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [w for w in re.split(r"[^\w]+|_", plain) if w]


def tsquery(text: str, every_word: bool = False, fold_word=None) -> str:
    """User text -> a PostgreSQL tsquery with ``match_query``'s meaning: every word must
    match, the last (or, with ``every_word``, each) as a prefix; a word of several parts
    ("LD-26-000001") is those parts in sequence.  Only letters and digits reach the
    query, so its syntax is never the user's.  ``fold_word``: the server's own folding
    (``server_fold``), so that a search folds exactly as the index does (ø, ß, æ)."""
    words = [w for w in str(text).split() if w.strip('*"')]
    terms = []
    for index, word in enumerate(words):
        prefix = every_word or word.endswith("*") or index == len(words) - 1
        parts = (fold_word or fold)(word.rstrip("*"))
        if not parts:
            continue
        quoted = [f"'{p}'" for p in parts]
        if prefix:
            quoted[-1] += ":*"
        terms.append("(" + " <-> ".join(quoted) + ")" if len(quoted) > 1 else quoted[0])
    return " & ".join(terms) or "''"


def server_fold(db):
    """The server's folding of one word (``labdesk_fold``: unaccent's rules, Unicode case
    and letters), as ``fold`` gives it: a list of parts."""
    def fold_word(word: str) -> list[str]:
        folded = db.execute("SELECT labdesk_fold(?)", [word]).fetchone()[0]
        return [part for part in folded.split() if part]
    return fold_word
