"""The upkeep service through the Lab facade: check() against tampering, backup and
restore."""
from __future__ import annotations

import json
import os
import shutil
import zipfile

import pytest

from labdesk import AuthError, IntegrityError, Lab, LabError, ValidationError
from support.files import make_pdf, make_png
from support.homes import login_as
from support.labs import (CLIENT, approve_stone, kp_fields, propose, raw_sql,
                          tamper_document)


# ---------------------------------------------------------------------- check()
def test_check_passes_on_an_untouched_lab(lab, sub, tmp_path):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf"))
    approve_stone(lab, sub.stones[0].number)
    steps = []
    result = lab.check(progress=lambda step, done, total: steps.append(step))
    assert result.ok and result.problems == ()
    assert result.events == lab.audit_events().total and result.documents == 1
    assert result.records["stones"] == 3 and result.records["users"] == 4
    assert result.records["findings"] == 1 and result.records["attachments"] == 1
    assert {"database", "documents"} <= set(steps)


def _problems(lab) -> list[str]:
    login_as(lab, "admin")   # the check names the lab's records: a logged-in user's read
    result = lab.check()
    assert not result.ok
    return list(result.problems)


def test_check_reports_a_weight_changed_behind_labdesks_back(lab, sub):
    raw_sql(lab, "UPDATE stones SET weight_mct = 1934 WHERE number = 'D0000002'")
    assert lab.stone("D0000002").weight == "1.934"  # the change is real
    problems = _problems(lab)
    assert len(problems) == 1
    assert "D0000002" in problems[0] and "weight_mct" in problems[0]
    assert "512" in problems[0] and "1934" in problems[0]
    assert "behind LabDesk's back" in problems[0]


def test_check_reports_a_locked_stones_facts_changed_behind_labdesks_back(lab, sub,
                                                                          approved):
    raw_sql(lab, "UPDATE stones SET colour = 'D' WHERE number = 'D0000001'")
    problems = _problems(lab)
    assert any("D0000001" in p and "colour" in p for p in problems)


def test_check_reports_a_document_edited_on_disk(lab, sub, tmp_path):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    a = lab.attach(ev.id, make_pdf(tmp_path / "KP-scan.pdf"))
    path = lab.document_path(a.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    tamper_document(lab, a.sha256, bytes(data))
    problems = _problems(lab)
    assert len(problems) == 1
    assert "KP-scan.pdf" in problems[0] and "altered" in problems[0]
    assert a.sha256[:12] in problems[0]
    with pytest.raises(IntegrityError):
        lab.document_path(a.sha256)


def test_check_reports_a_missing_document(lab, sub, tmp_path):
    ev = lab.add_evidence(sub.stones[0].number, "other", notes="photo")
    a = lab.attach(ev.id, make_png(tmp_path / "photo.png"))
    tamper_document(lab, a.sha256, None)
    problems = _problems(lab)
    assert len(problems) == 1 and "photo.png" in problems[0] and "missing" in problems[0]


def test_check_reports_an_altered_logo(lab, tmp_path):
    login_as(lab, "admin")
    sha = lab.set_logo(make_png(tmp_path / "logo.png"))
    tamper_document(lab, sha, make_png(tmp_path / "other.png", colour=(0, 0, 255)).read_bytes())
    problems = _problems(lab)
    assert any("logo" in p and "altered" in p for p in problems)


def test_check_reports_a_report_pdf_edited_on_disk(lab, sub, approved):
    report = lab.issue_report(approved)
    path = report.pdf_path
    edited = path.read_bytes().replace(b"%%EOF", b"%%EOF\n% edited")
    if lab.on_server:  # the archive is the database's copy (the desk's file a cache)
        tamper_document(lab, report.pdf_sha256, edited)
    else:
        os.chmod(path, 0o644)
        path.write_bytes(edited)
    problems = _problems(lab)
    assert len(problems) == 1
    assert report.number in problems[0] and "altered" in problems[0]


def test_check_reports_a_deleted_audit_event(lab, sub):
    event = lab.audit_events(action="stone.receive").items[-1]  # the three stones'
    raw_sql(lab, "DROP TRIGGER audit_no_delete",
            f"DELETE FROM audit WHERE id = {event.id}")
    assert lab.audit_events().total == event.id - 1  # the intake was the last event
    problems = _problems(lab)
    assert any(f"events {event.id} to {event.id}" in p and "deleted" in p
               for p in problems)
    # the stones' only snapshots went with it
    for number in ("D0000001", "D0000002", "D0000003"):
        assert any(number in p and "not in the audit chain" in p for p in problems)


def test_check_reports_a_deleted_event_in_the_middle_of_the_chain(lab, sub):
    event = lab.audit_events(action="submission.receive").items[0]
    raw_sql(lab, "DROP TRIGGER audit_no_delete",
            f"DELETE FROM audit WHERE id = {event.id}")
    problems = _problems(lab)
    assert any(f"events {event.id} to {event.id} are missing" in p for p in problems)
    assert any(sub.number in p and "not in the audit chain" in p for p in problems)


def test_check_reports_events_deleted_from_the_end_of_the_chain(lab, sub):
    last = lab.audit_events(limit=1).items[0].id
    raw_sql(lab, "DROP TRIGGER audit_no_delete", f"DELETE FROM audit WHERE id >= {last - 1}")
    problems = _problems(lab)
    assert any(f"events {last - 1} to {last}" in p and "deleted" in p for p in problems)


def test_check_reports_an_audit_event_edited(lab, sub):
    event = lab.audit_event(lab.audit_events(action="stone.receive").items[0].id)
    data = dict(event.data)  # the three stones' snapshots
    data["rows"] = [*data["rows"][:2], {**data["rows"][2], "weight_mct": 999}]
    text = json.dumps(data, sort_keys=True, separators=(",", ":")).replace("'", "''")
    raw_sql(lab, "DROP TRIGGER audit_no_update",
            f"UPDATE audit SET data = '{text}' WHERE id = {event.id}")
    problems = _problems(lab)
    assert any(f"event {event.id}" in p and "altered" in p for p in problems)


def test_check_reports_an_audit_event_whose_actor_was_changed(lab, sub):
    event = lab.audit_events(actor="tech", limit=1).items[0]
    raw_sql(lab, "DROP TRIGGER audit_no_update",
            f"UPDATE audit SET actor = 'sup1' WHERE id = {event.id}")
    problems = _problems(lab)
    assert any(f"event {event.id}" in p and "altered" in p for p in problems)


def test_check_reports_rows_inserted_behind_labdesks_back(lab, sub):
    raw_sql(lab,
            "INSERT INTO users (id, username, full_name, role, password_hash, active, "
            "created_at) VALUES (5, 'mallory', 'Mal Lory', 'supervisor', 'x', 1, "
            "'2024-01-01T00:00:00Z')",
            "INSERT INTO stones (id, number, submission_id, weight_mct, state, created_at, "
            "updated_at) VALUES (77, 'D0000077', 1, 1000, 'approved', "
            "'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')")
    problems = _problems(lab)
    assert any("mallory" in p and "not in the audit chain" in p for p in problems)
    assert any("D0000077" in p and "not in the audit chain" in p for p in problems)


def test_check_reports_a_row_deleted_behind_labdesks_back(lab, sub):
    raw_sql(lab, "DELETE FROM stones WHERE number = 'D0000003'")
    problems = _problems(lab)
    assert "stones: record 3 is in the audit chain but missing from the table (deleted " \
        "behind LabDesk's back)" in problems


def test_check_compares_a_big_intake_with_its_batch_events(lab):
    """2,500 stones: three batch events (1,000, 1,000, 500); a stone changed in the middle
    of the second is named, a stone updated later is compared with its own event."""
    login_as(lab, "tech")
    sub = lab.receive(CLIENT, [{"weight": "0.5", "client_ref": f"B-{i}"}
                               for i in range(2500)])
    batches = lab.audit_events(action="stone.receive").items
    assert sorted(e.entity_id for e in batches) == ["rows:1-1000", "rows:1001-2000",
                                                    "rows:2001-2500"]
    lab.update_stone("D0001500", colour="F")
    assert lab.check().ok
    history = lab.history("D0001500")
    assert [e.action for e in history] == ["submission.receive", "stone.receive",
                                           "stone.update"]
    assert history[1].data["row"]["client_ref"] == "B-1499"
    assert history[1].data["batch"] == {"first": 1001, "last": 2000, "rows": 1000}
    raw_sql(lab, "UPDATE stones SET client_ref = 'B-X' WHERE id IN (1499, 1500)")
    problems = _problems(lab)
    assert len(problems) == 2
    assert problems[0].startswith("stones: D0001499 differs from its last audited state")
    assert "client_ref: recorded 'B-1498', now 'B-X'" in problems[0]
    assert "client_ref: recorded 'B-1499', now 'B-X'" in problems[1]  # its own event
    assert sub.stones[-1].number == "D0002500"


def test_check_reports_a_setting_changed_behind_labdesks_back(lab):
    raw_sql(lab, "UPDATE settings SET value = '\"https://evil.example/v\"' "
                 "WHERE key = 'verify_url'")
    problems = _problems(lab)
    assert any("verify_url" in p and "evil.example" in p for p in problems)


def test_check_reports_a_password_hash_swapped_behind_labdesks_back(lab):
    raw_sql(lab, "UPDATE users SET password_hash = (SELECT password_hash FROM users "
                 "WHERE username = 'tech') WHERE username = 'sup1'")
    problems = _problems(lab)
    assert any("sup1" in p for p in problems)
    assert all("$argon2" not in p for p in problems)  # the diff shows no hashes


# ---------------------------------------------------------------------- backup/restore
@pytest.fixture
def busy_lab(lab, sub, tmp_path):
    """A lab with evidence, documents, a logo, an approved and a rejected finding."""
    stone, second = sub.stones[0].number, sub.stones[1].number
    ev = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf"))
    parcel = lab.add_evidence(sub.number, "other", notes="packing list")
    lab.attach(parcel.id, make_png(tmp_path / "list.png"))
    login_as(lab, "admin")
    lab.set_logo(make_png(tmp_path / "logo.png", colour=(0, 90, 0)))
    approve_stone(lab, stone)
    lab.issue_report(stone)
    propose(lab, second)
    login_as(lab, "sup2")
    lab.reject(second, "Need the invoice")
    return lab


def _state(lab) -> dict:
    stones = lab.stones(limit=1000).items
    evidence = {s.number: lab.stone_detail(s.number).evidence for s in stones}
    return {"stones": stones, "evidence": evidence, "users": lab.users(),
            "clients": lab.clients(), "settings": lab.settings(),
            "findings": {s.number: lab.stone_detail(s.number).findings for s in stones},
            "history": {s.number: lab.history(s.number) for s in stones},
            "records": lab.check().records}


def test_backup_and_restore_give_back_the_same_lab(busy_lab, tmp_path):
    lab = busy_lab
    state, events = _state(lab), lab.audit_events().total
    report = lab.reports().items[0]
    path = lab.backup(tmp_path / "backups" / "lab.zip")
    assert path == tmp_path / "backups" / "lab.zip" and zipfile.is_zipfile(path)
    assert lab.audit_events(limit=1).items[0].action == "lab.backup"
    restored = Lab.restore(path, tmp_path / "restored")
    try:
        assert restored.home == tmp_path / "restored"
        assert restored.user is None   # restored, checked, and nobody logged in
        with pytest.raises(AuthError, match="logged-in user"):
            restored.stones()
        login_as(restored, "admin")
        assert _state(restored) == state
        assert restored.audit_events().total == events  # all but the backup's own event
        result = restored.check()
        assert result.ok and result.documents == 3
        attachments = [a for evs in state["evidence"].values() for e in evs
                       for a in e.attachments]
        assert len({a.sha256 for a in attachments}) == 2
        for a in attachments:
            assert restored.document_path(a.sha256).read_bytes() == \
                lab.document_path(a.sha256).read_bytes()
        logo = state["settings"]["logo"]
        assert restored.document_path(logo).read_bytes() == \
            lab.document_path(logo).read_bytes()
        # the issued report, its PDF and the signing key came back
        assert restored.reports().items == (report.__class__(**{
            **report.__dict__, "pdf_path": restored.home / "reports" / report.pdf_path.name}),)
        assert restored.report_pdf(report.number).read_bytes() == \
            report.pdf_path.read_bytes()
        assert restored.verify(report.token).status == "valid"
        keys = [p for p in (restored.home / "keys").iterdir() if p.is_file()]
        assert keys and all(p.stat().st_mode & 0o077 == 0 for p in keys)
        assert login_as(restored, "sup1").username == "sup1"
        # the restored lab goes on working: its chain continues
        restored.reopen(state["stones"][0].number, "Restored copy test")
        assert restored.report(report.number).status == "superseded"
        assert restored.check().ok
        assert lab.report(report.number).status == "issued"  # the original is untouched
    finally:
        restored.close()


def test_backup_default_path_and_guards(lab, sub, tmp_path):
    path = lab.backup()
    assert path.parent == lab.home / "backups" and path.suffix == ".zip"
    assert lab.audit_events(action="lab.backup").items[0].data["file"] == path.name
    with pytest.raises(ValidationError) as err:
        lab.backup(tmp_path)
    assert err.value.field == "backup"
    lab.logout()
    with pytest.raises(AuthError):
        lab.backup(tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_restore_refuses_a_home_that_holds_a_lab(lab, sub, tmp_path):
    path = lab.backup(tmp_path / "lab.zip")
    other = tmp_path / "other"
    shutil.copytree(lab.home, other)
    before = sorted((p.relative_to(other), p.read_bytes()) for p in other.rglob("*")
                    if p.is_file())
    with pytest.raises(LabError, match="already holds a lab"):
        Lab.restore(path, other)
    assert sorted((p.relative_to(other), p.read_bytes()) for p in other.rglob("*")
                  if p.is_file()) == before
    with pytest.raises(LabError):
        Lab.restore(path, lab.home)
    assert lab.check().ok
    # nor into a folder that holds other files
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me")
    with pytest.raises(LabError):
        Lab.restore(path, busy)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    # an empty folder is fine
    (tmp_path / "empty").mkdir()
    Lab.restore(path, tmp_path / "empty").close()


def test_restore_refuses_what_is_not_a_backup(lab, tmp_path):
    with pytest.raises(ValidationError):
        Lab.restore(tmp_path / "missing.zip", tmp_path / "r1")
    notzip = make_pdf(tmp_path / "notzip.zip")
    with pytest.raises(ValidationError):
        Lab.restore(notzip, tmp_path / "r2")
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "other", "files": {}}))
    with pytest.raises(ValidationError):
        Lab.restore(plain, tmp_path / "r3")
    for name in ("r1", "r2", "r3"):
        assert not (tmp_path / name / "labdesk.db").exists()


def _backup_with_a_document(lab, sub, tmp_path):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    pdf = make_pdf(tmp_path / "kp.pdf")
    lab.attach(ev.id, pdf)
    return lab.backup(tmp_path / "lab.zip"), pdf.read_bytes()


def test_restore_refuses_a_truncated_backup(lab, sub, tmp_path):
    path, _ = _backup_with_a_document(lab, sub, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LabError):
        Lab.restore(path, tmp_path / "restored")
    assert not (tmp_path / "restored" / "labdesk.db").exists()


def test_restore_refuses_a_backup_whose_document_differs_from_its_manifest(lab, sub,
                                                                           tmp_path):
    path, _ = _backup_with_a_document(lab, sub, tmp_path)
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(forged, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("documents/"):
                data += b"% forged\n"
            out.writestr(info.filename, data)  # a valid zip, a lying content
    with pytest.raises(IntegrityError, match="damaged"):
        Lab.restore(forged, tmp_path / "restored")
    assert not (tmp_path / "restored" / "labdesk.db").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".restore-")]


@pytest.mark.parametrize("entry", ["document", "database"])
def test_restore_refuses_a_backup_with_flipped_bytes(lab, sub, tmp_path, entry):
    path, pdf = _backup_with_a_document(lab, sub, tmp_path)
    data = bytearray(path.read_bytes())
    if entry == "document":  # stored uncompressed: find the PDF's bytes in the zip
        start = data.find(pdf)
        assert start > 0
        where = start + len(pdf) // 2
    else:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("labdesk.db")
        where = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    for i in range(where, where + 8):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(LabError):
        Lab.restore(path, tmp_path / "restored")
    assert not (tmp_path / "restored" / "labdesk.db").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".restore-")]


def test_a_restore_that_fails_its_check_leaves_no_lab(lab, sub, tmp_path):
    raw_sql(lab, "UPDATE stones SET weight_mct = 999 WHERE number = 'D0000001'")
    path = lab.backup(tmp_path / "tampered.zip")
    with pytest.raises(IntegrityError, match="D0000001"):
        Lab.restore(path, tmp_path / "restored")
    assert not (tmp_path / "restored" / "labdesk.db").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".restore-")]
    with pytest.raises(LabError):
        Lab.open(tmp_path / "restored")


def test_check_reports_an_imported_packing_list_edited_on_disk(lab, tmp_path):
    import hashlib
    path = tmp_path / "list.csv"
    path.write_text("Stock #,Weight\nA1,1.16\nA2,0.52\n")
    login_as(lab, "tech")
    sub = lab.import_packing_list(path, "Dealer One")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    tamper_document(lab, sha, b"Stock #,Weight\nA1,1.16\nA2,0.25\n")
    problems = _problems(lab)
    assert any("altered" in p and (sub.number in p or "list.csv" in p or sha[:12] in p)
               for p in problems)


@pytest.mark.backends("sqlite")
def test_a_filled_column_unknown_to_the_snapshot_is_a_change(lab):
    """A column added later is accepted while it is NULL; filled behind LabDesk's back it
    is reported (the snapshot never recorded it)."""
    import sqlite3
    login_as(lab, "admin")
    lab.add_client("Column Client NV")
    conn = sqlite3.connect(lab.home / "labdesk.db")
    conn.execute("ALTER TABLE clients ADD COLUMN vat_number TEXT")
    conn.commit()
    assert lab.check().ok
    conn.execute("UPDATE clients SET vat_number = 'BE0123456789'")
    conn.commit()
    conn.close()
    problems = lab.check().problems
    assert problems and all("clients:" in p for p in problems)
    assert any("vat_number" in p for p in problems)


def test_check_names_a_stone_deleted_once_even_with_events_of_its_own(lab, sub):
    lab.update_stone("D0000002", colour="F")
    raw_sql(lab, "DELETE FROM stones WHERE id = 2")
    problems = _problems(lab)
    assert [p for p in problems if "record 2 " in p] == [
        "stones: record 2 is in the audit chain but missing from the table (deleted "
        "behind LabDesk's back)"]


def test_check_reports_a_deleted_stone_whose_id_the_next_intake_took(lab, sub):
    """The newest stone deleted (with its search entry) behind LabDesk's back: the next
    intake takes its id, and the two batch events that created id 3 give it away."""
    raw_sql(lab, "DELETE FROM stones WHERE id = 3", "DELETE FROM stones_fts WHERE rowid = 3")
    login_as(lab, "tech")
    again = lab.receive(CLIENT, [{"weight": "0.4"}, {"weight": "0.6"}])
    assert [s.number for s in again.stones] == ["D0000003", "D0000004"]
    problems = _problems(lab)
    assert len(problems) == 1
    assert problems[0].startswith("stones: records 3 to 3 were created twice (audit events")
    assert "deleted behind LabDesk's back and their ids reused" in problems[0]


def test_an_intake_indexes_a_stone_whose_id_a_deleted_stone_left_in_the_index(lab, sub):
    raw_sql(lab, "DELETE FROM stones WHERE id = 3")  # its search entry stays behind
    login_as(lab, "tech")
    again = lab.receive(CLIENT, [{"weight": "0.4", "notes": "replacement"}])
    assert lab.stones(search="replacement").items[0].number == again.stones[0].number


def test_check_reports_evidence_deleted_and_its_id_reused(lab, sub):
    """The newest evidence row deleted behind LabDesk's back, then new evidence takes its
    id: the row matches its own last event, but the chain created that id twice."""
    login_as(lab, "tech")
    first = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    raw_sql(lab, f"DELETE FROM evidence WHERE id = {first.id}")
    second = lab.add_evidence(sub.stones[0].number, "other", notes="replacement")
    assert second.id == first.id
    old, new = sorted(e.id for e in lab.audit_events(action="evidence.add").items)
    assert _problems(lab) == [f"evidence: record {first.id} was created twice (audit "
                              f"events {old} and {new}): the first was deleted behind "
                              f"LabDesk's back and its id reused"]


def test_a_record_changed_many_times_is_not_created_twice(lab, sub):
    login_as(lab, "tech")
    for colour in ("F", "G", "H"):
        lab.update_stone(sub.stones[0].number, colour=colour)
    login_as(lab, "admin")
    for size in ("Letter", "A4"):
        lab.update_settings(paper_size=size)
    assert lab.check().ok
