"""First run: create a lab (a wizard) or open the demo lab."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWizard,
                               QWizardPage)

from labdesk.errors import LabError
from labdesk.ui.widgets import apply_style, form_row


class FirstRunDialog(QDialog):
    """No lab in the home yet: create one, or open the demo lab."""

    CREATE, DEMO = 1, 2

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


class SetupWizard(QWizard):
    """Creates the lab when finished; ``self.created`` is then the open ``Lab``."""

    def __init__(self, home, parent=None):
        super().__init__(parent)
        apply_style(self)
        self.home = home
        self.created = None
        self.setWindowTitle("Create a lab")
        self.lab_page, self.admin_page = _LabPage(), _AdminPage()
        self.addPage(self.lab_page)
        self.addPage(self.admin_page)

    def validateCurrentPage(self) -> bool:
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
