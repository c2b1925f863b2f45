"""Which origin rulesets a lab applies: the shipped ones, or a folder of its own."""
from __future__ import annotations

import functools
import os

from labdesk.core.rulesets import Ruleset, default_rulesets_dir, load_rulesets


def in_use() -> dict[str, Ruleset]:
    """The rulesets in use by jurisdiction: the shipped ones, or those in
    ``$LABDESK_RULESETS`` (a lab that keeps its own, edited copies)."""
    folder = os.environ.get("LABDESK_RULESETS") or str(default_rulesets_dir())
    return _loaded(folder)


@functools.cache
def _loaded(folder: str) -> dict[str, Ruleset]:
    return load_rulesets(folder)
