"""Helpers for the GUI tests (importable as ``ui_helpers``)."""
from labdesk.demo import DEMO_USERS


def login(lab, username):
    """Log ``username`` of the demo lab in."""
    lab.login(username, DEMO_USERS[username][2])


def password(username):
    return DEMO_USERS[username][2]
