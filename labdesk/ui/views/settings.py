"""Settings for admins (placeholder)."""
from labdesk.ui.views.base import View


class SettingsView(View):
    title = "Settings"
