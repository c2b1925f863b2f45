"""LabDesk: a desktop application for diamond grading laboratories."""
from labdesk.errors import (AuthError, IntegrityError, LabError, PermissionDenied,
                            StateError, ValidationError)

__version__ = "0.1.0"
__all__ = ["Lab", "LabError", "ValidationError", "PermissionDenied", "StateError",
           "AuthError", "IntegrityError", "__version__"]


def __getattr__(name):  # ``from labdesk import Lab`` without importing the store eagerly
    if name == "Lab":
        from labdesk.lab import Lab
        return Lab
    raise AttributeError(name)
