"""Building large labs for the benchmark, through the store's bulk path: the same schema,
indexes, triggers and audit chain as real use, without typing a million stones; and the
floors the benchmark compares intake with: plain ``sqlite3`` at its fastest."""
from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from labdesk.lab import Lab, stone_number
from labdesk.store import queries, writes
from labdesk.store.connection import transaction, utcnow

PASSWORDS = {"admin": "bench-admin-1", "tech": "bench-tech-1", "sup": "bench-sup-1"}
SHAPES = ("round", "oval", "pear", "cushion", "emerald", "princess", "marquise", "heart")
COLOURS = "DEFGHIJK"
CLARITIES = ("IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2")
WORDS = ("melee", "parcel", "sealed", "Tracr", "Botswana", "Namibia", "recut", "matched",
         "girdle", "laser", "cloud", "feather", "needle", "crystal", "chip", "graining")
PER_SUBMISSION = 50


def build(home: Path, stones: int, seed: int = 1, progress=None,
          database: str | None = None) -> Lab:
    """A lab with ``stones`` stones in submissions of 50, a KP certificate per parcel,
    evidence on about half the stones, attachment rows on a quarter, and the audit events
    real use writes (one per submission's stones, one per other record); returns it open
    and logged in as the technician.

    ``database``: an empty PostgreSQL database to build the lab in (``home`` is then its
    first desk); the rows go in with COPY through the same ``writes.insert_rows``."""
    rng = random.Random(seed)
    lab = Lab.init(home, "Benchmark Laboratory", "admin", PASSWORDS["admin"], "Ada Admin",
                   database=database, address="1 Diamond Street\nAntwerp",
                   verify_url="https://verify.example/")
    lab.add_user("tech", "Tom Tech", "technician", PASSWORDS["tech"])
    lab.add_user("sup", "Sue Sup", "supervisor", PASSWORDS["sup"])
    for c in range(200):
        lab.add_client(f"Client {c:03d} {rng.choice(WORDS).title()} Diamonds")
    lab.login("tech", PASSWORDS["tech"])
    scan = home / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    sha = lab.documents.put(scan)
    db = lab._db
    tech = lab.user.id
    stone_cols = dict.fromkeys(writes.columns(db, "stones"))
    sub_cols = dict.fromkeys(writes.columns(db, "submissions"))
    ev_cols = dict.fromkeys(writes.columns(db, "evidence"))
    att_cols = dict.fromkeys(writes.columns(db, "attachments"))
    clients = [r["id"] for r in queries.clients(db)]
    made = 0
    sub_id = queries.next_id(db, "submissions")
    stone_id = queries.next_id(db, "stones")
    ev_id = queries.next_id(db, "evidence")
    att_id = queries.next_id(db, "attachments")
    while made < stones:
        with transaction(db):
            batch_subs, batch_stones, batch_ev, batch_att = [], [], [], []
            for _ in range(40):
                if made >= stones:
                    break
                now = utcnow()
                count = min(PER_SUBMISSION, stones - made)
                batch_subs.append({**sub_cols, "id": sub_id, "number": f"SUB-{sub_id:06d}",
                                   "client_id": rng.choice(clients),
                                   "reference": f"PO-{rng.randint(1, 99999):05d}",
                                   "received_at": now[:19] + "Z", "declared_count": count,
                                   "received_by": tech, "created_at": now})
                batch_ev.append({**ev_cols, "id": ev_id, "submission_id": sub_id,
                                 "kind": "kp_certificate",
                                 "reference": f"BW{rng.randint(10**7, 10**8 - 1)}",
                                 "issuer": "Botswana KP Authority", "issuing_country": "BW",
                                 "issued_on": now[:10], "origin_countries": '["BW"]',
                                 "origin_type": "single", "weight_mct": 999_000,
                                 "created_by": tech, "created_at": now, "updated_at": now})
                ev_id += 1
                parcel: list[dict] = []
                batch_stones.append((sub_id, parcel))
                for _ in range(count):
                    parcel.append({
                        **stone_cols, "id": stone_id, "number": stone_number(stone_id),
                        "submission_id": sub_id, "client_ref": f"R{rng.randint(1, 10**6)}",
                        "weight_mct": rng.randint(300, 3000), "shape": rng.choice(SHAPES),
                        "colour": rng.choice(COLOURS), "clarity": rng.choice(CLARITIES),
                        "identification": "natural", "state": "received",
                        "notes": " ".join(rng.choice(WORDS) for _ in range(4)),
                        "created_at": now, "updated_at": now})
                    if rng.random() < 0.5:
                        kind = rng.choice(("sow_invoice", "provenance_record"))
                        batch_ev.append({**ev_cols, "id": ev_id, "stone_id": stone_id,
                                         "kind": kind, "reference": f"INV-{ev_id}",
                                         "sow_statement": 1 if kind == "sow_invoice"
                                         else None, "issued_on": now[:10],
                                         "weight_mct": 5000, "created_by": tech,
                                         "created_at": now, "updated_at": now})
                        if rng.random() < 0.5:
                            batch_att.append({**att_cols, "id": att_id, "evidence_id": ev_id,
                                              "sha256": sha, "filename": f"scan-{ev_id}.pdf",
                                              "size": scan.stat().st_size,
                                              "media_type": "application/pdf",
                                              "created_by": tech, "created_at": now})
                            att_id += 1
                        ev_id += 1
                    stone_id += 1
                made += count
                sub_id += 1
            writes.insert_rows(db, "submissions", batch_subs, "tech", "submission.receive")
            for parcel_id, parcel in batch_stones:  # one event per intake, as Lab.receive
                writes.insert_rows(db, "stones", parcel, "tech", "stone.receive",
                                   submission_id=parcel_id, one_event=True)
            writes.insert_rows(db, "evidence", batch_ev, "tech", "evidence.add")
            writes.insert_rows(db, "attachments", batch_att, "tech", "attachment.add")
        if progress:
            progress(made, stones)
    db.execute("ANALYZE")
    return lab


def packing_rows(count: int, seed: int = 2) -> list[dict]:
    """A dealer's packing list as ``Lab.receive`` takes it."""
    rng = random.Random(seed)
    return [{"client_ref": f"PL-{i}", "weight": f"{rng.randint(300, 3000) / 1000:.3f}",
             "shape": rng.choice(("BR", "OV", "PS", "CU")), "colour": rng.choice(COLOURS),
             "clarity": rng.choice(CLARITIES), "cut": "EX", "polish": "VG",
             "symmetry": "VG", "fluorescence": "NON",
             "measurements": "6.41-6.45x3.95", "identification": "natural"}
            for i in range(count)]


def _timed_insert(conn: sqlite3.Connection, begin: str, insert: str,
                  rows: list[dict]) -> float:
    """Seconds to ``begin``, insert ``rows`` with one ``executemany`` and commit."""
    start = time.perf_counter()
    conn.execute(begin)
    conn.executemany(insert, rows)
    conn.execute("COMMIT")
    return time.perf_counter() - start


def raw_insert_seconds(home: Path, rows: list[dict]) -> float:
    """The bare floor: the same stone rows into a table of the same columns and nothing
    else (no key, no index, no constraint) with plain ``sqlite3`` ``executemany`` in one
    transaction."""
    path = home / "raw.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    columns = list(rows[0])
    conn.execute(f"CREATE TABLE stones ({', '.join(columns)})")
    marks = ", ".join(f":{c}" for c in columns)
    seconds = _timed_insert(conn, "BEGIN", f"INSERT INTO stones VALUES ({marks})", rows)
    conn.close()
    path.unlink()
    return seconds


def table_insert_seconds(database: Path, rows: list[dict]) -> float:
    """The floor in the lab itself: the same stone rows, complete, into the lab's own
    ``stones`` table (its keys, indexes and constraints, at its size) with plain
    ``sqlite3`` ``executemany`` in one committed transaction.

    The rows get the ids after the last stone and the lab's last submission; nothing
    LabDesk adds (checks, audit events, the search index) is done.  They are deleted
    again afterwards (untimed), so the lab is as it was: this is for benchmark labs only.
    """
    conn = sqlite3.connect(str(database), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")  # as LabDesk's connections
        first = (conn.execute("SELECT max(id) FROM stones").fetchone()[0] or 0) + 1
        submission = conn.execute("SELECT max(id) FROM submissions").fetchone()[0]
        columns = [r[1] for r in conn.execute("PRAGMA table_info(stones)")]
        full = [{**dict.fromkeys(columns), **row, "id": first + i,
                 "number": f"RAW{first + i:09d}", "submission_id": submission,
                 "state": "received", "created_at": "2026-01-01T00:00:00Z",
                 "updated_at": "2026-01-01T00:00:00Z"} for i, row in enumerate(rows)]
        names = ", ".join(columns)
        marks = ", ".join(f":{c}" for c in columns)
        seconds = _timed_insert(conn, "BEGIN IMMEDIATE",
                                f"INSERT INTO stones ({names}) VALUES ({marks})", full)
        conn.execute("DELETE FROM stones WHERE id >= ?", [first])
    finally:
        conn.close()
    return seconds


def pg_raw_insert_seconds(dsn: str, rows: list[dict]) -> float:
    """PostgreSQL's bare floor: the same stone rows into a temporary table of the same
    columns and nothing else, with plain psycopg ``COPY`` in one committed transaction."""
    import psycopg
    columns = list(rows[0])
    with psycopg.connect(dsn) as conn:
        conn.execute(f"CREATE TEMP TABLE raw_stones ({', '.join(c + ' text' for c in columns)})")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor().copy(f"COPY raw_stones ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        conn.commit()
        return time.perf_counter() - start


def pg_table_insert_seconds(dsn: str, rows: list[dict]) -> float:
    """PostgreSQL's floor in the lab itself: the same rows, complete, into the lab's own
    ``stones`` table (its keys, indexes and constraints) with plain psycopg ``COPY`` in
    one committed transaction; nothing LabDesk adds.  Deleted again afterwards (untimed):
    for benchmark labs only."""
    import psycopg
    with psycopg.connect(dsn) as conn:
        first = (conn.execute("SELECT max(id) FROM stones").fetchone()[0] or 0) + 1
        submission = conn.execute("SELECT max(id) FROM submissions").fetchone()[0]
        columns = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'stones' "
            "AND table_schema = current_schema() ORDER BY ordinal_position")]
        full = [{**dict.fromkeys(columns), **row, "id": first + i,
                 "number": f"RAW{first + i:09d}", "submission_id": submission,
                 "state": "received", "created_at": "2026-01-01T00:00:00Z",
                 "updated_at": "2026-01-01T00:00:00Z"} for i, row in enumerate(rows)]
        conn.commit()
        names = ", ".join(f'"{c}"' for c in columns)
        start = time.perf_counter()
        with conn.cursor().copy(f"COPY stones ({names}) FROM STDIN") as copy:
            for row in full:
                copy.write_row([row[c] for c in columns])
        conn.commit()
        seconds = time.perf_counter() - start
        conn.execute("DELETE FROM stones WHERE id >= %s", [first])
        conn.commit()
    return seconds


def add_findings(lab: Lab, count: int, seed: int = 3, progress=None) -> int:
    """Give ``count`` stones spread over the lab an approved finding, with the outcomes of
    today's assessment under the rulesets in use recorded as a proposal records them.

    Bulk path: the findings are written with their batch audit events; the stones' new
    state is set without events (nothing here checks the chain).  Returns how many."""
    import datetime as dt
    import json

    from labdesk.core.assessment import assess_outcome, prepare
    from labdesk.lab import rulesets_in_use
    rng = random.Random(seed)
    db = lab._db
    total = db.execute("SELECT count(*) FROM stones").fetchone()[0]
    chosen = sorted(rng.sample(range(1, total + 1), min(count, total)))
    today = dt.date.today()
    rulesets = sorted(rulesets_in_use().items())

    def assessments(stone_id: int) -> str:
        facts = lab._facts(queries.stone_by_id(db, stone_id))
        prepared = prepare(facts, today, summarise=False)
        return json.dumps({code: {"ruleset": r.label, "on": today.isoformat(),
                                  "outcome": assess_outcome(facts, r, today, prepared),
                                  "in_scope": True} for code, r in rulesets},
                          sort_keys=True)
    columns = dict.fromkeys(writes.columns(db, "findings"))
    users = {r["username"]: r["id"] for r in queries.users(db)}
    next_finding = queries.next_id(db, "findings")
    for start in range(0, len(chosen), 10_000):
        ids = chosen[start:start + 10_000]
        now = utcnow()
        rows = [{**columns, "id": next_finding + i, "stone_id": stone_id,
                 "origin": "non_russian", "mining_country": "BW", "statement": "",
                 "evidence_ids": "[]", "assessments": assessments(stone_id),
                 "status": "approved",
                 "proposed_by": users["tech"], "proposed_at": now,
                 "decided_by": users["sup"], "decided_at": now, "decision_comment": ""}
                for i, stone_id in enumerate(ids)]
        next_finding += len(rows)
        with transaction(db):
            for first in range(0, len(rows), 1000):
                writes.insert_rows(db, "findings", rows[first:first + 1000], "tech",
                                   "finding.propose", one_event=True)
            db.conn.executemany("UPDATE stones SET state = 'approved' WHERE id = ?",
                                [(i,) for i in ids])
        if progress:
            progress(start + len(ids), len(chosen))
    return len(chosen)


def newer_rulesets(folder: Path) -> Path:
    """The rulesets in use copied to ``folder`` as new versions, the UK's without its KP
    certificate proof (so that some outcomes move): point ``LABDESK_RULESETS`` at it."""
    import shutil

    from labdesk.core.rulesets import default_rulesets_dir
    shutil.copytree(default_rulesets_dir(), folder)
    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        version = text.split('version = "', 1)[1].split('"', 1)[0]
        text = text.replace(f'version = "{version}"', f'version = "{version}.bench"')
        if path.name == "uk.toml":
            text = text.replace('proof = ["kp-certificate", ', 'proof = [')
        path.write_text(text, encoding="utf-8")
    return folder
