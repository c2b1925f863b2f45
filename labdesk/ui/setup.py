"""First run: create a lab (a wizard), join a lab server (a desk of a lab whose records
are on PostgreSQL), or open the demo lab."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout,
                               QWizard, QWizardPage)

from labdesk.errors import LabError
from labdesk.ui.widgets import apply_style, form_row
from labdesk.ui.wording import JOIN_ADDRESS_HINT, one_sentence


class FirstRunDialog(QDialog):
    """No lab in the home yet: create one, or open the demo lab."""

    CREATE, DEMO, JOIN = 1, 2, 3

    def __init__(self, home, parent=None):
        super().__init__(parent)
        apply_style(self)
        self.setWindowTitle("Welcome to LabDesk")
        layout = QVBoxLayout(self)
        title = QLabel("No lab yet in")
        title.setObjectName("DialogTitle")
        text = QLabel(f"{home}\n\nCreate your laboratory, or look around in a demo lab "
                      "first.")
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)
        create = QPushButton("Create a new lab…")
        create.setAccessibleName("Create a new lab")
        demo = QPushButton("Open the demo lab")
        demo.setAccessibleName("Open the demo lab")
        create.clicked.connect(lambda: self.done(self.CREATE))
        demo.clicked.connect(lambda: self.done(self.DEMO))
        layout.addWidget(create)
        layout.addWidget(demo)
        # a second desk of a lab: the records are on the lab's server already
        join = QLabel('This computer is one more desk of a lab on a server? '
                      '<a href="join">Join a lab server…</a>')
        join.setObjectName("Hint")
        join.setAccessibleName("Join a lab server")
        join.setTextInteractionFlags(Qt.TextBrowserInteraction)
        join.linkActivated.connect(lambda _link: self.done(self.JOIN))
        self.join_link = join
        layout.addWidget(join)


class _LabPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Your laboratory")
        self.setSubTitle("Printed on every report. An admin can change it later.")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setFixedHeight(70)
        self.accreditation = QLineEdit()
        self.prefix = QLineEdit("LD")
        self.verify_url = QLineEdit()
        self.verify_url.setPlaceholderText("https://verify.yourlab.example/ (optional)")
        self.paper = QComboBox()
        self.paper.addItems(["A4", "Letter"])
        form_row(form, "Lab name", self.name)
        form_row(form, "Address", self.address)
        form_row(form, "Accreditation", self.accreditation)
        form_row(form, "Report prefix", self.prefix, name="Report number prefix")
        form_row(form, "Verify page URL", self.verify_url)
        form_row(form, "Paper size", self.paper)
        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Lab details error")
        form.addRow(self.error)
        self.registerField("name*", self.name)

    def settings(self) -> dict:
        return {"lab_name": self.name.text(), "address": self.address.toPlainText(),
                "accreditation": self.accreditation.text(),
                "report_prefix": self.prefix.text(), "verify_url": self.verify_url.text(),
                "paper_size": self.paper.currentText()}


class _AdminPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("First administrator")
        self.setSubTitle("The admin adds the technicians and supervisors.")
        form = QFormLayout(self)
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.Password)
        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Setup error")
        form_row(form, "Username", self.username, name="Admin username")
        form_row(form, "Full name", self.full_name, name="Admin full name")
        form_row(form, "Password", self.password, name="Admin password")
        form_row(form, "Confirm password", self.confirm)
        form.addRow(self.error)
        self.registerField("username*", self.username)
        self.registerField("full_name*", self.full_name)

    def nextId(self) -> int:
        return -1      # the last page of creating a lab (joining is a page of its own)


class _JoinPage(QWizardPage):
    """The address of the lab's PostgreSQL server; the desk is made on Finish."""

    def __init__(self):
        super().__init__()
        self.setTitle("Join a lab server")
        self.setSubTitle("This computer becomes one more desk of a lab whose records are "
                         "on a PostgreSQL server. Someone of the lab logs in next.")
        layout = QVBoxLayout(self)     # word-wrapped notes keep their height here
        self.address = QLineEdit()
        self.address.setPlaceholderText("postgresql://labdesk@db.lab.local:5432/labdesk")
        self.address.setAccessibleName("Lab server address")
        label = QLabel("&Server address")
        label.setBuddy(self.address)
        self.hint = QLabel(JOIN_ADDRESS_HINT)
        self.hint.setObjectName("Hint")
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("About the server address")
        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Join error")
        for widget in (label, self.address, self.hint, self.error):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.registerField("server_address*", self.address)
        self.setFinalPage(True)

    def nextId(self) -> int:
        return -1


class SetupWizard(QWizard):
    """Creates the lab, or joins a lab server, when finished; ``self.created`` is then
    the open ``Lab`` (logged in as the new admin; nobody logged in at a joined desk).
    ``join``: start at the "Join a lab server" page; the first page offers it too."""

    LAB, ADMIN, JOIN = 0, 1, 2

    def __init__(self, home, parent=None, *, join: bool = False):
        super().__init__(parent)
        apply_style(self)
        self.home = home
        self.created = None
        self.lab_page, self.admin_page = _LabPage(), _AdminPage()
        self.join_page = _JoinPage()
        self.setPage(self.LAB, self.lab_page)
        self.setPage(self.ADMIN, self.admin_page)
        self.setPage(self.JOIN, self.join_page)
        # one button switches between creating a lab and joining one on a server
        self.setOption(QWizard.HaveCustomButton1, True)
        self.button(QWizard.CustomButton1).clicked.connect(self._switch)
        self.currentIdChanged.connect(self._page_changed)
        self.show_join() if join else self.show_create()

    @property
    def joining(self) -> bool:
        return self.startId() == self.JOIN

    def show_join(self) -> None:
        """The "Join a lab server" page (what the first page's button opens)."""
        self.setStartId(self.JOIN)
        self.restart()

    def show_create(self) -> None:
        self.setStartId(self.LAB)
        self.restart()

    def _switch(self) -> None:
        self.show_create() if self.joining else self.show_join()

    def _page_changed(self, page_id: int) -> None:
        self.setWindowTitle("Join a lab server" if self.joining else "Create a lab")
        button = self.button(QWizard.CustomButton1)
        button.setText("Create a new lab instead" if self.joining else
                       "Join a lab server…")
        button.setAccessibleName(button.text().rstrip("…"))
        button.setVisible(page_id in (self.LAB, self.JOIN))

    def validateCurrentPage(self) -> bool:
        if self.currentPage() is self.join_page:
            return self._join()
        if self.currentPage() is self.lab_page:
            # say what is wrong on the page that holds it, not after the admin's page
            from labdesk.core.settings import parse_setting
            try:
                for key, value in self.lab_page.settings().items():
                    parse_setting(key, value)
            except LabError as exc:
                self.lab_page.error.setText(str(exc))
                return False
            self.lab_page.error.clear()
            return True
        if self.currentPage() is not self.admin_page:
            return True
        page, lab_page = self.admin_page, self.lab_page
        if page.password.text() != page.confirm.text():
            page.error.setText("The two passwords differ.")
            return False
        from labdesk.lab import Lab
        try:
            values = lab_page.settings()
            self.created = Lab.init(
                self.home, lab_name=values.pop("lab_name"),
                admin_username=page.username.text(),
                admin_password=page.password.text(), admin_name=page.full_name.text(),
                **values)
        except LabError as exc:
            page.error.setText(str(exc))
            return False
        return True

    def _join(self) -> bool:
        """``Lab.join`` on the address given; its refusal is one sentence on the page and
        nothing is written (``Lab.join`` makes the desk whole or not at all)."""
        page = self.join_page
        from labdesk.lab import Lab
        QApplication.setOverrideCursor(Qt.WaitCursor)   # a far server: up to seconds
        try:
            self.created = Lab.join(self.home, database=page.address.text().strip())
        except LabError as exc:
            page.error.setText(one_sentence(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        page.error.clear()
        return True
