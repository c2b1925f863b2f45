"""Settings (admins): the lab's profile and logo, users, signing keys and backups.

Non-admins never see this page (the main window leaves it out), but it disables every
control all the same when the logged-in user is not an admin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from labdesk.core import workflow
from labdesk.core.settings import LABEL_SIZES, PAPER_SIZES, label_size
from labdesk.core.settings import warnings as setting_warnings
from labdesk.errors import LabError
from labdesk.ui import dialogs, shortcuts
from labdesk.ui.views.base import View
from labdesk.ui.widgets import brush, form_row, hbox
from labdesk.ui.wording import local_time, plural, sentence
from labdesk.ui.worker import run_task

ADMINS_ONLY = "Only an admin can change the lab's settings."
NO_USER = "Select a user in the table first."
REPORT_PREFIX_TIP = "1 to 6 letters, such as LD: report numbers look like LD26-000123"
LABEL_SIZE_TIP = ("The stock the intake labels print on: a sheet for an office printer, or "
                  "a label printer's roll (one label a page, the page the label's size)")
VERIFY_URL_TIP = ("Where the lab publishes its verify page; the QR code on each report "
                  "points there")
FIELD_NAMES = {"lab_name": "lab name", "address": "address",
               "accreditation": "accreditation", "report_prefix": "report prefix",
               "verify_url": "verify page URL", "paper_size": "paper size",
               "max_attachment_mb": "largest attachment", "logo": "logo",
               "backup_on_exit": "backup on exit", "report_issuers": "who issues reports",
               "label_size": "intake label size"}
#: The lab setting report_issuers, in words.
ISSUERS = (("supervisors", "Supervisors and admins"),
           ("everyone", "Everyone, technicians too"))


def ask_folder(parent, title: str) -> str | None:
    """A folder (for a restored lab), or None when the user cancels.  Tests replace it."""
    path = QFileDialog.getExistingDirectory(parent, title, "")
    return path or None


def _restore(backup_path: str, new_home: str) -> str:
    """Restore on a worker thread; the restored lab is closed again (this window keeps
    its lab)."""
    from labdesk.lab import Lab
    restored = Lab.restore(backup_path, new_home)
    home = str(restored.home)
    restored.close()
    return home


def _page(widget_layout) -> QWidget:
    page = QWidget()
    page.setLayout(widget_layout)
    return page


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("Hint")
    label.setWordWrap(True)
    return label


class SettingsView(View):
    title = "Settings"
    hint = "The lab's profile, its users, signing keys and backups. Admins only."

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")
        self.tabs.addTab(self._profile_tab(), "Lab profile")
        self.tabs.addTab(self._users_tab(), "Users")
        self.tabs.addTab(self._keys_tab(), "Keys")
        self.tabs.addTab(self._backups_tab(), "Backups")
        self.outer.addWidget(self.tabs, 1)
        self.task = None
        self._users: list = []

    # ------------------------------------------------------------------ lab profile
    def _profile_tab(self) -> QWidget:
        self.lab_name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setFixedHeight(80)
        self.accreditation = QLineEdit()
        self.report_prefix = QLineEdit()
        self.report_prefix.setMaximumWidth(120)
        self.verify_url = QLineEdit()
        self.verify_url.setPlaceholderText("https://verify.yourlab.example/ (optional)")
        self.paper_size = QComboBox()
        self.paper_size.addItems(list(PAPER_SIZES))
        self.paper_size.setMaximumWidth(120)
        self.label_size = QComboBox()
        for value, words in LABEL_SIZES.items():
            self.label_size.addItem(words, value)
        self.label_size.setMaximumWidth(320)
        self.report_issuers = QComboBox()
        for value, words in ISSUERS:
            self.report_issuers.addItem(words, value)
        self.report_issuers.setMaximumWidth(240)
        self.max_attachment = QSpinBox()
        self.max_attachment.setRange(1, 10_000)
        self.max_attachment.setSuffix(" MB")
        self.max_attachment.setMaximumWidth(120)
        self.logo = QLabel("No logo")
        self.logo.setAccessibleName("Logo preview")
        self.logo.setFixedSize(220, 90)
        self.logo.setAlignment(Qt.AlignCenter)
        self.logo.setObjectName("LogoPreview")
        self.choose_logo = QPushButton("Choose logo…")
        self.choose_logo.setAccessibleName("Choose logo")
        self.choose_logo.setToolTip("A PNG, JPEG or GIF printed at the top of every report")
        self.choose_logo.clicked.connect(self.pick_logo)
        self.remove_logo = QPushButton("Remove logo")
        self.remove_logo.setAccessibleName("Remove logo")
        self.remove_logo.clicked.connect(self.clear_logo)
        logo_buttons = QVBoxLayout()
        logo_buttons.addWidget(self.choose_logo)
        logo_buttons.addWidget(self.remove_logo)
        logo_buttons.addStretch(1)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo)
        logo_row.addLayout(logo_buttons)
        logo_row.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form_row(form, "Lab name", self.lab_name)
        form_row(form, "Address", self.address)
        form_row(form, "Accreditation", self.accreditation)
        form_row(form, "Report prefix", self.report_prefix, REPORT_PREFIX_TIP,
                 name="Report number prefix")
        form_row(form, "Verify page URL", self.verify_url, VERIFY_URL_TIP)
        form_row(form, "Paper size", self.paper_size)
        form_row(form, "Intake labels", self.label_size, LABEL_SIZE_TIP,
                 name="Intake label size")
        form_row(form, "Who issues reports", self.report_issuers,
                 "Who may sign and issue a report once its finding is approved")
        form_row(form, "Largest attachment", self.max_attachment)
        form.addRow("Logo", logo_row)

        self.save_profile = QPushButton("Save profile")
        self.save_profile.setAccessibleName("Save profile")
        self.save_profile.setToolTip("Save the lab's profile (Ctrl+S); printed on reports "
                                     "issued from now on")
        self.save_profile.setDefault(True)
        self.save_profile.clicked.connect(self.save)
        self.revert_profile = QPushButton("Undo changes")
        self.revert_profile.setAccessibleName("Undo profile changes")
        self.revert_profile.clicked.connect(self.load_profile)
        save = shortcuts.assign(QAction(self), "save")
        save.setShortcutContext(Qt.WindowShortcut)  # only while this page shows
        save.triggered.connect(lambda: self.tabs.currentIndex() == 0 and
                               self.save_profile.isEnabled() and self.save())
        self.addAction(save)

        # said until a verify page URL is set (labdesk.core.settings.warnings)
        self.profile_warning = QLabel()
        self.profile_warning.setObjectName("FormError")
        self.profile_warning.setWordWrap(True)
        self.profile_warning.setMaximumWidth(820)
        self.profile_warning.setAccessibleName("What the lab's settings still lack")
        self.profile_warning.hide()

        layout = QVBoxLayout()
        layout.addWidget(self.profile_warning)
        box = QWidget()
        box.setMaximumWidth(820)
        box.setLayout(form)
        layout.addWidget(box)
        layout.addLayout(hbox(self.save_profile, self.revert_profile, None))
        layout.addWidget(_note("Reports already issued keep the profile they were printed "
                               "with; every change is recorded in the audit chain."))
        layout.addStretch(1)
        return _page(layout)

    def _profile_values(self) -> dict:
        return {"lab_name": self.lab_name.text(), "address": self.address.toPlainText(),
                "accreditation": self.accreditation.text(),
                "report_prefix": self.report_prefix.text(),
                "verify_url": self.verify_url.text(),
                "paper_size": self.paper_size.currentText(),
                "report_issuers": self.report_issuers.currentData(),
                "label_size": self.label_size.currentData(),
                "max_attachment_mb": self.max_attachment.value()}

    def load_profile(self):
        values = self.lab.settings()
        self.lab_name.setText(values["lab_name"])
        self.address.setPlainText(values["address"] or "")
        self.accreditation.setText(values["accreditation"] or "")
        self.report_prefix.setText(values["report_prefix"])
        self.verify_url.setText(values["verify_url"] or "")
        self.paper_size.setCurrentText(values["paper_size"])
        self.report_issuers.setCurrentIndex(
            max(0, self.report_issuers.findData(values["report_issuers"])))
        self.label_size.setCurrentIndex(max(0, self.label_size.findData(label_size(values))))
        self.max_attachment.setValue(int(values["max_attachment_mb"]))
        self.backup_on_exit.blockSignals(True)
        self.backup_on_exit.setChecked(bool(values["backup_on_exit"]))
        self.backup_on_exit.blockSignals(False)
        self._show_logo(values.get("logo"))
        lacking = [sentence(w) + ". Set the Verify page URL below: the address where the "
                   "lab publishes its verify page." for w in setting_warnings(values)]
        self.profile_warning.setText("\n".join(lacking))
        self.profile_warning.setVisible(bool(lacking))

    def _show_logo(self, sha256):
        self.logo.setPixmap(QPixmap())
        if not sha256:
            self.logo.setText("No logo")
            self._set_enabled(self.remove_logo, False, "The lab has no logo")
            return
        path = self.act(self.lab.document_path, sha256)
        pixmap = QPixmap(str(path)) if path else QPixmap()
        if pixmap.isNull():
            self.logo.setText("The logo cannot be shown")
        else:
            self.logo.setPixmap(pixmap.scaled(self.logo.size() * 0.95, Qt.KeepAspectRatio,
                                              Qt.SmoothTransformation))
        self._set_enabled(self.remove_logo, self.is_admin, ADMINS_ONLY)

    def save(self) -> bool:
        current = self.lab.settings()
        values = self._profile_values()
        if current.get("label_size") is None:   # labels follow the paper size until set
            current["label_size"] = label_size(current)
            if values["paper_size"] != current["paper_size"]:
                current["label_size"] = None    # keep the sheet the admin sees
        changed = {k: v for k, v in values.items()
                   if v != (current.get(k) if current.get(k) is not None else "")}
        if not changed:
            self.message.info("Nothing to save: the profile is as stored.")
            return False
        saved = self.act(self.lab.update_settings, **changed)
        if saved is None:
            return False
        self.load_profile()
        self.window_.setWindowTitle(f"LabDesk — {saved['lab_name']}")
        names = ", ".join(FIELD_NAMES[k] for k in changed)
        self.message.info(f"Saved the {names}.")
        return True

    def pick_logo(self):
        path = dialogs.ask_open_file(self, "Choose the lab's logo",
                                     "Images (*.png *.jpg *.jpeg *.gif)")
        if not path:
            return
        if self.act(self.lab.set_logo, path) is not None:
            self._show_logo(self.lab.settings().get("logo"))
            self.message.info(f"The logo is now {Path(path).name}; it prints on reports "
                              f"issued from now on.")

    def clear_logo(self):
        if self.act(self.lab.update_settings, logo=None) is not None:
            self._show_logo(None)
            self.message.info("The logo was removed.")

    # ------------------------------------------------------------------ users
    def _users_tab(self) -> QWidget:
        self.users_table = QTableWidget(0, 5)
        self.users_table.setAccessibleName("Users")
        self.users_table.setHorizontalHeaderLabels(["Username", "Full name", "Role",
                                                    "Account", "Since"])
        self.users_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.users_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.users_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.users_table.verticalHeader().hide()
        self.users_table.horizontalHeader().setStretchLastSection(True)
        self.users_table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        for column, width in enumerate((140, 220, 120, 120)):
            self.users_table.setColumnWidth(column, width)
        self.users_table.itemSelectionChanged.connect(self._selection_changed)

        # the selected user
        self.selected = QLabel(NO_USER)
        self.selected.setAccessibleName("Selected user")
        self.selected.setWordWrap(True)
        self.toggle_active = QPushButton("Deactivate")
        self.toggle_active.setAccessibleName("Deactivate or reactivate the selected user")
        self.toggle_active.clicked.connect(self.toggle_user)
        self.unlock = QPushButton("Unlock")
        self.unlock.setAccessibleName("Unlock the selected user")
        self.unlock.clicked.connect(self.unlock_user)
        self.reset_password = QLineEdit()
        self.reset_password.setEchoMode(QLineEdit.Password)
        self.reset_password.setAccessibleName("New password for the selected user")
        self.reset_password.setPlaceholderText("new password")
        self.reset_confirm = QLineEdit()
        self.reset_confirm.setEchoMode(QLineEdit.Password)
        self.reset_confirm.setAccessibleName("Confirm the new password")
        self.reset_confirm.setPlaceholderText("again")
        self.reset_button = QPushButton("Reset password")
        self.reset_button.setAccessibleName("Reset password")
        self.reset_button.clicked.connect(self.reset_user_password)
        self.reset_confirm.returnPressed.connect(self.reset_button.click)
        selected_box = QGroupBox("Selected user")
        selected_layout = QVBoxLayout(selected_box)
        selected_layout.addWidget(self.selected)
        selected_layout.addLayout(hbox(self.toggle_active, self.unlock, None))
        selected_layout.addWidget(_note("A deactivated user can no longer log in; their "
                                        "records and signatures stay."))
        selected_layout.addLayout(hbox(self.reset_password, self.reset_confirm,
                                       self.reset_button))
        selected_layout.addStretch(1)

        # a new user
        self.new_username = QLineEdit()
        self.new_username.setPlaceholderText("e.g. jdoe")
        self.new_full_name = QLineEdit()
        self.new_full_name.setPlaceholderText("printed with their signatures")
        self.new_role = QComboBox()
        for role in workflow.ROLES:
            self.new_role.addItem(role.capitalize(), role)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.Password)
        self.new_confirm = QLineEdit()
        self.new_confirm.setEchoMode(QLineEdit.Password)
        self.add_button = QPushButton("Add user")
        self.add_button.setAccessibleName("Add user")
        self.add_button.clicked.connect(self.add_user)
        self.new_confirm.returnPressed.connect(self.add_button.click)
        add_box = QGroupBox("Add a user")
        add_form = QFormLayout(add_box)
        form_row(add_form, "Username", self.new_username, name="New username")
        form_row(add_form, "Full name", self.new_full_name, name="New user's full name")
        form_row(add_form, "Role", self.new_role, name="New user's role")
        form_row(add_form, "Password", self.new_password, name="New user's password")
        form_row(add_form, "Confirm password", self.new_confirm,
                 name="Confirm the new user's password")
        add_form.addRow("", hbox(self.add_button, None))

        side = QHBoxLayout()
        side.addWidget(selected_box, 1)
        side.addWidget(add_box, 1)
        layout = QVBoxLayout()
        layout.addWidget(self.users_table, 1)
        layout.addLayout(side)
        return _page(layout)

    def load_users(self):
        selected = self.selected_user()
        self._users = self.lab.users()
        table = self.users_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self._users))
        for row, user in enumerate(self._users):
            cells = (user.username, user.full_name, user.role.capitalize(),
                     ("Active" if user.active else "Deactivated") +
                     (" · locked" if self._locked(user) else ""),
                     local_time(user.created_at))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, user.username)
                if not user.active:
                    item.setForeground(brush("faded"))
                table.setItem(row, column, item)
        table.blockSignals(False)
        if selected is not None:
            for row, user in enumerate(self._users):
                if user.username == selected.username:
                    table.selectRow(row)
        self._selection_changed()

    def selected_user(self):
        rows = self.users_table.selectionModel().selectedRows() if \
            self.users_table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._users):
            return None
        return self._users[rows[0].row()]

    def select_user(self, username: str) -> None:
        for row, user in enumerate(self._users):
            if user.username == username:
                self.users_table.selectRow(row)

    def _selection_changed(self):
        user = self.selected_user()
        me = self.lab.user
        if user is None:
            self.selected.setText(NO_USER)
            for widget in (self.toggle_active, self.reset_button, self.reset_password,
                           self.reset_confirm):
                self._set_enabled(widget, False, NO_USER)
            self.toggle_active.setText("Deactivate")
            self._set_enabled(self.unlock, False, NO_USER)
            return
        locked = self._locked(user)
        self._set_enabled(self.unlock, self.is_admin and locked,
                          ADMINS_ONLY if not self.is_admin else
                          (f"Let {user.username} log in again now" if locked else
                           "Not locked: an account is locked after five wrong "
                           "passwords in a row, for fifteen minutes"))
        state = "active" if user.active else "deactivated"
        if locked:
            state += f", locked after wrong passwords until {local_time(user.locked_until)}"
        self.selected.setText(f"<b>{user.full_name}</b> ({user.username}), "
                              f"{user.role}, {state}")
        self.toggle_active.setText("Deactivate" if user.active else "Reactivate")
        own = me is not None and user.username == me.username
        if own and user.active:
            self._set_enabled(self.toggle_active, False,
                              "You cannot deactivate your own account")
        else:
            self._set_enabled(self.toggle_active, self.is_admin,
                              ADMINS_ONLY if not self.is_admin else
                              ("Stop this user from logging in" if user.active else
                               "Let this user log in again"))
        for widget in (self.reset_button, self.reset_password, self.reset_confirm):
            self._set_enabled(widget, self.is_admin, ADMINS_ONLY)
        self.reset_button.setToolTip(f"Give {user.username} a new password; tell them "
                                     f"in person" if self.is_admin else ADMINS_ONLY)

    def add_user(self):
        if self.new_password.text() != self.new_confirm.text():
            self.message.error("The two passwords for the new user differ.")
            self.new_confirm.clear()
            self.new_confirm.setFocus()
            return
        added = self.act(self.lab.add_user, self.new_username.text().strip(),
                         self.new_full_name.text(), self.new_role.currentData(),
                         self.new_password.text())
        if added is None:
            return
        for edit in (self.new_username, self.new_full_name, self.new_password,
                     self.new_confirm):
            edit.clear()
        self.load_users()
        self.select_user(added.username)
        self.message.info(f"Added {added.full_name} ({added.username}) as a {added.role}.")

    @staticmethod
    def _locked(user) -> bool:
        import datetime as dt
        until = getattr(user, "locked_until", None)
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return bool(until) and until > now

    def unlock_user(self):
        user = self.selected_user()
        if user is None:
            return
        unlocked = self.act(self.lab.unlock_user, user.username)
        if unlocked is None:
            return
        self.load_users()
        self.message.info(f"{unlocked.full_name} ({unlocked.username}) is unlocked and "
                          f"can log in again.")

    def toggle_user(self):
        user = self.selected_user()
        if user is None:
            return
        changed = self.act(self.lab.set_user_active, user.username, not user.active)
        if changed is None:
            return
        self.load_users()
        self.message.info(f"{changed.full_name} ({changed.username}) "
                          + ("can log in again." if changed.active else
                             "is deactivated and can no longer log in."))

    def reset_user_password(self):
        user = self.selected_user()
        if user is None:
            return
        if self.reset_password.text() != self.reset_confirm.text():
            self.message.error("The two new passwords differ.")
            self.reset_confirm.clear()
            self.reset_confirm.setFocus()
            return
        if not self._ok(self.lab.set_password, user.username, self.reset_password.text()):
            return
        self.reset_password.clear()
        self.reset_confirm.clear()
        self.message.info(f"{user.full_name}'s password ({user.username}) was reset; tell "
                          f"them the new one in person.")

    # ------------------------------------------------------------------ keys
    def _keys_tab(self) -> QWidget:
        self.keys_table = QTableWidget(0, 3)
        self.keys_table.setAccessibleName("Signing keys")
        self.keys_table.setHorizontalHeaderLabels(["Key id", "Created", "Status"])
        self.keys_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.keys_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.keys_table.verticalHeader().hide()
        self.keys_table.horizontalHeader().setStretchLastSection(True)
        self.keys_table.setColumnWidth(0, 200)
        self.keys_table.setColumnWidth(1, 180)
        self.export_keys = QPushButton("Export public keys…")
        self.export_keys.setAccessibleName("Export public keys")
        self.export_keys.setToolTip("Write every public key (retired ones too) as PEM, for "
                                    "anyone who checks reports with their own tools")
        self.export_keys.clicked.connect(self.export_public_keys)
        self.rotate = QPushButton("Rotate signing key…")
        self.rotate.setAccessibleName("Rotate signing key")
        self.rotate.setToolTip("Make a new key that signs reports from now on; the old one "
                               "is retired but still verifies the reports it signed")
        self.rotate.clicked.connect(self.rotate_key)
        layout = QVBoxLayout()
        layout.addWidget(_note(
            "Each report's QR code carries a claim signed with the lab's private key "
            "(Ed25519). Anyone holding the public keys can check a report offline. Rotate "
            "the key when a machine holding it is lost or on a schedule; retired keys stay "
            "known so old reports still verify."))
        layout.addWidget(self.keys_table, 1)
        layout.addLayout(hbox(self.export_keys, self.rotate, None))
        return _page(layout)

    def load_keys(self):
        keys = self.lab.signing_keys()
        self.keys_table.setRowCount(len(keys))
        for row, key in enumerate(keys):
            status = "Signs new reports" if key.active else \
                f"Retired {local_time(key.retired_at)}; still verifies"
            for column, text in enumerate((key.kid, local_time(key.created_at), status)):
                self.keys_table.setItem(row, column, QTableWidgetItem(text))

    def export_public_keys(self):
        path = dialogs.ask_save_file(self, "Export the lab's public keys",
                                     "labdesk-public-keys.pem", "PEM files (*.pem)")
        if not path:
            return
        text = self.act(self.lab.export_public_keys, path)
        if text is not None:
            count = text.count("BEGIN PUBLIC KEY")
            self.message.info(f"Wrote {plural(count, 'public key')} to {path}. Publish "
                              f"it next to the verify page.")

    def rotate_key(self):
        me = self.lab.user
        if me is None:
            return
        password = dialogs.ask_password(self, me.full_name, "Rotate the signing key",
                                        "the lab's signing key")
        if password is None:
            return
        if not self._ok(self.lab.reauthenticate, password):
            return
        key = self.act(self.lab.rotate_key)
        if key is not None:
            self.load_keys()
            self.message.info(f"New signing key {key.kid} signs reports from now on. "
                              f"Export the public keys again and publish them.")

    # ------------------------------------------------------------------ backups
    def _backups_tab(self) -> QWidget:
        self.backup_now = QPushButton("Back up now…")
        self.backup_now.setAccessibleName("Back up now")
        self.backup_now.setToolTip("Write the database, documents, reports and keys into "
                                   "one zip file")
        self.backup_now.clicked.connect(self.start_backup)
        self.restore_button = QPushButton("Restore a backup…")
        self.restore_button.setAccessibleName("Restore a backup")
        self.restore_button.setToolTip("Unpack a backup into a new, empty folder and check "
                                       "it; this window keeps working on the current lab")
        self.restore_button.clicked.connect(self.start_restore)
        self.backup_on_exit = QCheckBox("Back up automatically when LabDesk closes")
        self.backup_on_exit.setAccessibleName("Back up automatically on exit")
        self.backup_on_exit.toggled.connect(self.set_backup_on_exit)
        self.backup_result = QLabel()
        self.backup_result.setAccessibleName("Last backup")
        self.backup_result.setWordWrap(True)
        self.backup_result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.backup_folder = _note("")
        backup_box = QGroupBox("Back up")
        backup_layout = QVBoxLayout(backup_box)
        backup_layout.addWidget(_note(
            "A backup is one zip file holding the database, every document, the issued "
            "reports and the signing keys. Keep a copy away from this machine, somewhere "
            "safe: it holds the lab's private key."))
        backup_layout.addLayout(hbox(self.backup_now, None))
        backup_layout.addWidget(self.backup_on_exit)
        backup_layout.addWidget(self.backup_folder)
        restore_box = QGroupBox("Restore")
        restore_layout = QVBoxLayout(restore_box)
        restore_layout.addWidget(_note(
            "Restoring unpacks a backup into a new, empty folder and checks every record "
            "and document. This window keeps working on the current lab; open the restored "
            "one with  labdesk --home FOLDER."))
        restore_layout.addLayout(hbox(self.restore_button, None))
        layout = QVBoxLayout()
        layout.addWidget(backup_box)
        layout.addWidget(restore_box)
        layout.addWidget(self.backup_result)
        layout.addStretch(1)
        return _page(layout)

    def start_backup(self):
        if self.task is not None:
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        suggested = str(self.lab.home / "backups" / f"labdesk-{stamp}.zip")
        path = dialogs.ask_save_file(self, "Back up the lab", suggested,
                                     "Backups (*.zip)")
        if not path:
            return
        lab = self.lab
        self._busy(True, "A backup is being written")
        self.task = run_task(self, lambda progress: lab.backup(path, progress=progress),
                             self._backed_up, self._task_failed,
                             title="Backing up the lab…")

    def _backed_up(self, path):
        self._busy(False)
        self.backup_result.setText(f"Last backup: {path}")
        self.message.info(f"Backup written to {path}.")

    def start_restore(self):
        if self.task is not None:
            return
        backup = dialogs.ask_open_file(self, "Choose a backup to restore",
                                       "Backups (*.zip)")
        if not backup:
            return
        folder = ask_folder(self, "Choose a new, empty folder for the restored lab")
        if not folder:
            return
        self._busy(True, "A backup is being restored")
        self.task = run_task(self, lambda progress: _restore(backup, folder),
                             self._restored, self._task_failed,
                             title="Restoring and checking the backup…")

    def _restored(self, home):
        self._busy(False)
        self.backup_result.setText(f"Restored lab: {home}")
        self.message.info(f"The backup was restored into {home} and passed its check. "
                          f"This window still works on {self.lab.home}. To open the "
                          f"restored lab, start LabDesk with:  labdesk --home \"{home}\"")

    def _task_failed(self, message: str):
        self._busy(False)
        self.message.error(sentence(message))

    def _busy(self, busy: bool, why: str = ""):
        if busy:
            for button in (self.backup_now, self.restore_button):
                self._set_enabled(button, False, why)
            return
        self.task = None
        self._set_enabled(self.backup_now, self.is_admin, ADMINS_ONLY)
        self._set_enabled(self.restore_button, self.is_admin, ADMINS_ONLY)
        self.backup_now.setToolTip("Write the database, documents, reports and keys into "
                                   "one zip file" if self.is_admin else ADMINS_ONLY)
        self.restore_button.setToolTip("Unpack a backup into a new, empty folder and check "
                                       "it" if self.is_admin else ADMINS_ONLY)

    def set_backup_on_exit(self, on: bool):
        if self.act(self.lab.update_settings, backup_on_exit=bool(on)) is None:
            self.backup_on_exit.blockSignals(True)
            self.backup_on_exit.setChecked(not on)
            self.backup_on_exit.blockSignals(False)
            return
        self.message.info("LabDesk will write a backup into the lab's backups folder each "
                          "time it closes." if on else
                          "No automatic backup on exit.")

    # ------------------------------------------------------------------ everything
    @property
    def is_admin(self) -> bool:
        user = self.lab.user
        return user is not None and user.role == "admin"

    def _ok(self, fn, *args, **kwargs) -> bool:
        """Call ``fn`` (which returns nothing); False, with its message shown, on a
        ``LabError``."""
        try:
            fn(*args, **kwargs)
        except LabError as exc:
            self.message.error(str(exc))
            return False
        return True

    @staticmethod
    def _set_enabled(widget, enabled: bool, why: str):
        widget.setEnabled(enabled)
        if not enabled:
            widget.setToolTip(why)

    def refresh(self):
        self.load_profile()
        self.load_users()
        self.load_keys()
        self.backup_folder.setText(f"Automatic backups go to {self.lab.home / 'backups'}.")
        self._apply_role()

    def _apply_role(self):
        admin = self.is_admin
        controls = (self.lab_name, self.address, self.accreditation, self.report_prefix,
                    self.verify_url, self.paper_size, self.label_size, self.max_attachment,
                    self.choose_logo,
                    self.save_profile, self.revert_profile, self.new_username,
                    self.new_full_name, self.new_role, self.new_password, self.new_confirm,
                    self.add_button, self.export_keys, self.rotate, self.backup_now,
                    self.restore_button, self.backup_on_exit)
        for widget in controls:
            if admin:
                widget.setEnabled(True)
            else:
                self._set_enabled(widget, False, ADMINS_ONLY)
        if not admin:
            for widget in (self.remove_logo, self.toggle_active, self.reset_button,
                           self.reset_password, self.reset_confirm):
                self._set_enabled(widget, False, ADMINS_ONLY)
            self.message.info(ADMINS_ONLY)
        elif self.task is not None:
            self._busy(True, "A backup task is running")
