"""The accounts service through the Lab facade: sessions, users, settings, clients
(design.md "The Lab facade")."""
from __future__ import annotations

import json

import pytest

from labdesk import AuthError, Lab, PermissionDenied, ValidationError
from labdesk.errors import NotFound
from support.files import make_pdf, make_png
from support.homes import FULL_NAMES, PASSWORDS, login_as
from support.labs import receive_stones, written


# ---------------------------------------------------------------------- sessions
@pytest.mark.parametrize("who", ["admin", "tech", "sup1", "sup2"])
def test_login_as_each_role(lab, who):
    user = login_as(lab, who)
    assert (user.username, user.full_name, user.active) == (who, FULL_NAMES[who], True)
    assert lab.user == user


def test_login_with_a_wrong_password_or_unknown_user_is_an_auth_error(lab):
    with pytest.raises(AuthError) as wrong:
        lab.login("tech", PASSWORDS["sup1"])
    with pytest.raises(AuthError) as unknown:
        lab.login("nobody", PASSWORDS["tech"])
    # one message for both: it does not reveal which usernames exist
    assert str(wrong.value) == str(unknown.value)
    with pytest.raises(AuthError):
        lab.login("tech", "")
    assert lab.user is None


def test_a_failed_login_ends_the_previous_session(lab):
    login_as(lab, "tech")
    with pytest.raises(AuthError):
        lab.login("sup1", "not-the-password")
    assert lab.user is None
    with pytest.raises(AuthError):
        receive_stones(lab, who=None)


def test_logout_ends_the_session(lab):
    login_as(lab, "tech")
    lab.logout()
    assert lab.user is None
    before = written(lab)
    with pytest.raises(AuthError):
        receive_stones(lab, who=None)
    assert written(lab) == before


def test_nothing_is_written_by_nobody(lab):
    before = written(lab)
    with pytest.raises(AuthError):
        lab.add_client("Someone")
    with pytest.raises(AuthError):
        lab.update_settings(paper_size="Letter")
    with pytest.raises(AuthError):
        lab.backup(lab.home.parent / "b.zip")
    assert written(lab) == before


def test_reauthenticate(lab):
    with pytest.raises(AuthError):
        lab.reauthenticate(PASSWORDS["tech"])  # nobody logged in
    login_as(lab, "sup1")
    lab.reauthenticate(PASSWORDS["sup1"])
    with pytest.raises(AuthError, match="sup1"):
        lab.reauthenticate("wrong-password")
    with pytest.raises(AuthError):
        lab.reauthenticate(PASSWORDS["sup2"])  # another user's password
    assert lab.user.username == "sup1"  # a failed re-authentication does not log out


# ---------------------------------------------------------------------- users
def test_admin_adds_a_user_who_can_then_log_in(lab):
    login_as(lab, "admin")
    before = lab.audit_events().total
    user = lab.add_user(" newtech ", "Nina New", "technician", "nina-pw-1")
    assert (user.username, user.full_name, user.role, user.active) == \
        ("newtech", "Nina New", "technician", True)
    assert "newtech" in [u.username for u in lab.users()]
    events = lab.audit_events(action="user.add")
    assert lab.audit_events().total == before + 1
    assert events.items[0].data["row"]["username"] == "newtech"
    # no password hash in the audit trail
    assert "$argon2" not in json.dumps(events.items[0].data)
    assert lab.login("newtech", "nina-pw-1").role == "technician"


@pytest.mark.parametrize("who", ["tech", "sup1"])
def test_only_an_admin_adds_users(lab, who):
    login_as(lab, who)
    before = written(lab)
    with pytest.raises(PermissionDenied):
        lab.add_user("intruder", "In Truder", "admin", "intr-pw-1")
    assert written(lab) == before
    assert "intruder" not in [u.username for u in lab.users()]


@pytest.mark.parametrize("args, field", [
    (("carol", "Carol C", "boss", "carol-pw-1"), "role"),
    (("TECH", "Other Tom", "technician", "tech-pw-2"), "username"),  # taken, any case
    (("carol", "Carol C", "technician", "short"), "password"),
    (("carol", "Carol C", "technician", "aaaaaaaaaa"), "password"),
    (("c", "Carol C", "technician", "carol-pw-1"), "username"),
    (("carol smith", "Carol C", "technician", "carol-pw-1"), "username"),
    (("carol", "", "technician", "carol-pw-1"), "full_name"),
])
def test_add_user_refuses_bad_input(lab, args, field):
    login_as(lab, "admin")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.add_user(*args)
    assert err.value.field == field
    assert written(lab) == before


def test_a_deactivated_user_cannot_log_in_until_reactivated(lab):
    login_as(lab, "admin")
    user = lab.deactivate_user("tech")
    assert user.active is False
    assert lab.audit_events(action="user.deactivate").total == 1
    with pytest.raises(AuthError):
        login_as(lab, "tech")  # the right password
    login_as(lab, "admin")
    assert lab.set_user_active("tech", True).active is True
    assert lab.audit_events(action="user.activate").total == 1
    assert login_as(lab, "tech").username == "tech"


def test_deactivation_ends_a_session_open_elsewhere(lab):
    other = Lab.open(lab.home)  # a second window on the same lab
    try:
        login_as(other, "tech")
        login_as(lab, "admin")
        lab.deactivate_user("tech")
        before = written(lab)
        with pytest.raises(AuthError):
            receive_stones(other, who=None)
        assert written(lab) == before
        assert other.user is None
    finally:
        other.close()


def test_deactivate_guards(lab):
    login_as(lab, "admin")
    with pytest.raises(ValidationError, match="your own"):
        lab.deactivate_user("admin")
    with pytest.raises(NotFound):
        lab.deactivate_user("ghost")
    login_as(lab, "sup1")
    with pytest.raises(PermissionDenied):
        lab.deactivate_user("tech")
    assert all(u.active for u in lab.users())


def test_a_user_changes_their_own_password_with_the_old_one(lab):
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(AuthError):
        lab.set_password("tech", "tech-new-pw", old_password="wrong-old-pw")
    events, stones, records = written(lab)   # only the wrong password is recorded
    assert (events - 1, stones, records) == before
    wrong = lab.audit_events(limit=1).items[0]
    assert (wrong.action, wrong.data["during"], wrong.data["failures"]) == \
        ("user.login_failed", "password change", 1)
    lab.set_password("tech", "tech-new-pw", old_password=PASSWORDS["tech"])
    event = lab.audit_events(action="user.password").items[0]
    assert event.data["password_changed"] is True
    assert "$argon2" not in json.dumps(event.data)
    with pytest.raises(AuthError):
        login_as(lab, "tech")
    assert lab.login("tech", "tech-new-pw").username == "tech"


def test_only_an_admin_resets_another_users_password(lab):
    login_as(lab, "sup1")
    with pytest.raises(PermissionDenied):
        lab.set_password("tech", "hijacked-pw")
    login_as(lab, "admin")
    with pytest.raises(ValidationError) as err:
        lab.set_password("tech", "short")
    assert err.value.field == "password"
    lab.set_password("tech", "reset-by-admin")
    assert lab.login("tech", "reset-by-admin").username == "tech"


# ---------------------------------------------------------------------- settings
def test_admin_changes_settings_and_each_change_is_audited(lab):
    login_as(lab, "admin")
    values = lab.update_settings(report_prefix="gl", paper_size="letter",
                                 verify_url="https://lab.example/verify")
    assert (values["report_prefix"], values["paper_size"], values["verify_url"]) == \
        ("GL", "Letter", "https://lab.example/verify")
    assert lab.settings() == values
    events = lab.audit_events(action="settings.set", actor="admin", limit=3).items
    changed = {e.entity_id: e.changed["value"] for e in events}
    assert changed["report_prefix"] == [json.dumps("LD"), json.dumps("GL")]
    assert lab.check().ok


@pytest.mark.parametrize("who", ["tech", "sup1", "sup2"])
def test_only_an_admin_changes_settings(lab, who):
    login_as(lab, who)
    before = written(lab)
    with pytest.raises(PermissionDenied):
        lab.update_settings(lab_name="Hijacked")
    assert written(lab) == before
    assert lab.settings()["lab_name"] == "Test Gem Lab"


@pytest.mark.parametrize("values, field", [
    ({"colour_scheme": "dark"}, "colour_scheme"),
    ({"paper_size": "A5"}, "paper_size"),
    ({"report_prefix": "L1"}, "report_prefix"),
    ({"verify_url": "http://insecure.example"}, "verify_url"),
    ({"max_attachment_mb": "lots"}, "max_attachment_mb"),
    ({"lab_name": "   "}, "lab_name"),
    ({"paper_size": "Letter", "backup_on_exit": "yes"}, "backup_on_exit"),
])
def test_bad_settings_are_refused_and_nothing_changes(lab, values, field):
    login_as(lab, "admin")
    before, settings = written(lab), lab.settings()
    with pytest.raises(ValidationError) as err:
        lab.update_settings(**values)
    assert err.value.field == field
    assert written(lab) == before
    assert lab.settings() == settings


def test_a_logo_must_name_a_stored_image(lab):
    login_as(lab, "admin")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.update_settings(logo="0" * 64)
    assert err.value.field == "logo"
    assert written(lab) == before
    assert lab.check().ok


def test_set_logo(lab, tmp_path):
    png = make_png(tmp_path / "logo.png")
    login_as(lab, "tech")
    with pytest.raises(PermissionDenied):
        lab.set_logo(png)
    login_as(lab, "admin")
    with pytest.raises(ValidationError) as err:
        lab.set_logo(make_pdf(tmp_path / "logo.pdf"))
    assert err.value.field == "logo"
    sha = lab.set_logo(png)
    assert lab.settings()["logo"] == sha
    assert lab.document_path(sha).read_bytes() == png.read_bytes()
    result = lab.check()
    assert result.ok and result.documents == 1


# ---------------------------------------------------------------------- clients
def test_clients(lab):
    login_as(lab, "tech")
    client = lab.add_client("  Beta   Gems ", address="1 Hoveniersstraat, Antwerp",
                            contact="info@beta.example")
    assert (client.name, client.contact) == ("Beta Gems", "info@beta.example")
    lab.add_client("Bright Stones")
    lab.add_client("Acme Diamonds")
    with pytest.raises(ValidationError) as err:
        lab.add_client("beta gems")  # names compare without case
    assert err.value.field == "client"
    with pytest.raises(ValidationError) as err:
        lab.add_client("  ")
    assert err.value.field == "client"
    assert [c.name for c in lab.clients()] == ["Acme Diamonds", "Beta Gems", "Bright Stones"]
    assert [c.name for c in lab.clients("b")] == ["Beta Gems", "Bright Stones"]
    assert [c.name for c in lab.clients("Be")] == ["Beta Gems"]
    assert lab.clients("%") == []  # LIKE wildcards are escaped


def test_update_client(lab):
    login_as(lab, "tech")
    lab.add_client("Beta Gems")
    updated = lab.update_client("beta gems", address="2 Pelikaanstraat", contact="ops@beta")
    assert (updated.name, updated.address, updated.contact) == \
        ("Beta Gems", "2 Pelikaanstraat", "ops@beta")
    event = lab.audit_events(action="client.update").items[0]
    assert event.changed["address"] == [None, "2 Pelikaanstraat"]
    with pytest.raises(ValidationError) as err:
        lab.update_client("Beta Gems", phone="123")
    assert err.value.field == "phone"
    with pytest.raises(NotFound) as err:
        lab.update_client("Nobody Ltd", address="x")
    assert err.value.field == "client"


def test_rename_client(lab):
    login_as(lab, "tech")
    lab.add_client("Beta Gems")
    updated = lab.update_client("beta gems", name="  Beta   Gems NV ")
    assert updated.name == "Beta Gems NV"
    event = lab.audit_events(action="client.update").items[0]
    assert event.changed["name"] == ["Beta Gems", "Beta Gems NV"]


def test_renaming_a_client_refreshes_the_stone_search(lab):
    receive_stones(lab)
    lab.update_client("Acme Diamonds", name="Zenith Brilliants")
    assert lab.stones(search="Zenith").total == 3
    assert lab.stones(search="Acme").total == 0
    assert {s.client for s in lab.stones().items} == {"Zenith Brilliants"}


def test_renaming_a_client_to_a_taken_name_is_a_validation_error(lab):
    login_as(lab, "tech")
    lab.add_client("Beta Gems")
    lab.add_client("Gamma Gems")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.update_client("Gamma Gems", name="BETA gems")
    assert err.value.field == "name"
    assert written(lab) == before
