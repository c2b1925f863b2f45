"""What a client declared with a parcel (how many stones, how many carats) against what
the lab received: the warning the intake page, the packing-list preview and the command
line all give, worded once."""
from __future__ import annotations

from labdesk.core.weights import format_weight


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def discrepancies(declared_count: int | None, declared_mct: int | None, count: int,
                  mct: int, where: str = "the grid holds") -> list[str]:
    """Each way the received stones differ from the declared figures, in words."""
    said = []
    if not count:
        return said
    if declared_count is not None and declared_count != count:
        said.append(f"the client declared {_plural(declared_count, 'stone')} but {where} "
                    f"{count:,}")
    if declared_mct is not None and declared_mct != mct:
        said.append(f"the client declared {format_weight(declared_mct)} ct but {where} "
                    f"{format_weight(mct)} ct")
    return said


def warning(declared_count: int | None, declared_mct: int | None, count: int, mct: int,
            where: str = "the grid holds") -> str:
    """One sentence for a person ('' when all agrees): the parcel may still be received,
    with the declared figures recorded as given."""
    said = discrepancies(declared_count, declared_mct, count, mct, where)
    if not said:
        return ""
    return ("Check the parcel: " + "; ".join(said) +
            ". You can still receive it; the declared figures are recorded as given.")
