"""Issue 16, item 14 on the Settings page: a locked account says until when, and an
admin unlocks it there."""
import pytest

from labdesk import AuthError
from ui_helpers import login, password


def test_an_admin_unlocks_a_locked_account_on_the_users_page(window, lab, tmp_path):
    for _ in range(5):
        with pytest.raises(AuthError):
            lab.login("tom", "guess")
    with pytest.raises(AuthError, match="locked .* until"):
        login(lab, "tom")
    admin = next(u.username for u in lab.users() if u.role == "admin")
    win = window(admin)
    view = win.show_page("settings")
    view.load_users()
    view.select_user("tom")
    assert "locked after wrong passwords until" in view.selected.text()
    assert view.unlock.isEnabled()
    view.tabs.setCurrentIndex(1)
    view.grab().save(str(tmp_path / "users.png"))
    view.unlock_user()
    assert "unlocked" in view.message.text()
    assert not view.unlock.isEnabled()
    assert lab.login("tom", password("tom")).username == "tom"
