"""Test lab homes: the four users every test lab has, making a lab, copying a home
(no pytest: worker processes import this too).

Passwords are hashed with ``labdesk.core.passwords``' test-only parameters: a hash
carries its parameters, so logins into these labs are cheap in any process, with or
without the switch.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from labdesk.core import passwords

PASSWORDS = {"admin": "admin-pw-1", "tech": "tech-pw-1", "sup1": "sup1-pw-1",
             "sup2": "sup2-pw-2"}
FULL_NAMES = {"admin": "Ada Admin", "tech": "Tom Tech", "sup1": "Sue Super",
              "sup2": "Sam Second"}
ROLES = {"admin": "admin", "tech": "technician", "sup1": "supervisor",
         "sup2": "supervisor"}


def create_lab(home: Path, lab_name: str = "Test Gem Lab", **settings):
    """A new lab at ``home`` with the four users, hashed fast; returned open, with the
    admin logged in."""
    from labdesk import Lab
    with passwords.fast_hashing():
        lab = Lab.init(home, lab_name=lab_name, admin_username="admin",
                       admin_password=PASSWORDS["admin"], admin_name=FULL_NAMES["admin"],
                       **settings)
        try:
            for who in ("tech", "sup1", "sup2"):
                lab.add_user(who, FULL_NAMES[who], ROLES[who], PASSWORDS[who])
        except BaseException:
            lab.close()
            raise
    return lab


def login_as(lab, who: str):
    return lab.login(who, PASSWORDS[who])


def copy_home(template: Path, home: Path) -> Path:
    """A copy of the lab home ``template`` at ``home``."""
    shutil.copytree(template, home, symlinks=True)
    return home


def point_desk_at(home: Path, dsn: str) -> None:
    """A copied desk's home made to use the database ``dsn`` (its cache emptied)."""
    import json
    (home / "desk.json").write_text(json.dumps({"database": dsn}))
    shutil.rmtree(home / "cache", ignore_errors=True)
