"""What the origin rules see of a stone: plain, immutable facts gathered by the facade.

The store reads rows; ``Lab`` turns them into these; the rules engine (``assessment``)
judges them.  Nothing here knows SQL or Qt.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvidenceFacts:
    """One piece of origin evidence as the document states it (not yet judged)."""
    id: int
    kind: str                      # see labdesk.core.evidence.KINDS
    level: str                     # 'stone' (this stone only) or 'submission' (the parcel)
    reference: str | None = None
    issuer: str | None = None
    issuing_country: str | None = None
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    origin_countries: tuple[str, ...] = ()
    origin_type: str | None = None          # 'single' | 'mixed' | None
    transit_countries: tuple[str, ...] = ()
    processing_countries: tuple[str, ...] = ()  # where the stone was cut and polished
    weight_mct: int | None = None           # carats covered, in thousandths
    value_cents: int | None = None
    parcels: int | None = None
    hs_code: str | None = None
    exporter: str | None = None
    importer: str | None = None
    seller: str | None = None
    buyer: str | None = None
    sow_statement: bool | None = None
    platform: str | None = None
    outside_russia_since: dt.date | None = None
    notes: str | None = None
    attachments: int = 0                    # scanned documents attached to it


@dataclass(frozen=True)
class StoneFacts:
    """A stone and every piece of evidence that covers it (its own and its parcel's)."""
    number: str
    weight_mct: int
    identification: str | None              # natural | laboratory_grown | simulant | refer
    received_on: dt.date
    submission_weight_mct: int              # all stones of its submission together
    submission_count: int                   # how many stones its submission holds
    evidence: tuple[EvidenceFacts, ...] = field(default_factory=tuple)
    mounted: bool = False                   # set in jewellery, not a loose stone
