"""The ``Lab`` facade and its services (see ``labdesk.lab.facade``)."""
from labdesk.core.stones import stone_number
from labdesk.lab.facade import DB_NAME, FOLDERS, Lab
from labdesk.lab.rulesets import in_use as rulesets_in_use

__all__ = ["DB_NAME", "FOLDERS", "Lab", "rulesets_in_use", "stone_number"]
