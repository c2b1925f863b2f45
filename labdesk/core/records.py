"""The results ``Lab`` hands out: plain frozen dataclasses, safe to pass between threads.

Their names and the attributes design.md lists are a contract; new attributes may be
added, none renamed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields as dataclass_fields


def build(cls, values: dict):
    """A frozen record made from ``values`` (every field, by name) without running its
    generated ``__init__``, which sets each field through ``object.__setattr__``: five
    times faster, for the thousands of stones an intake hands back.  The record is the
    same as ``cls(**values)`` would make (equal, hashable, immutable)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in dataclass_fields(cls))
    if values.keys() != names:
        raise TypeError(f"{cls.__name__}: fields {sorted(names ^ values.keys())} are "
                        f"missing or unknown")
    record = object.__new__(cls)
    record.__dict__.update(values)
    return record


_FIELD_NAMES: dict[type, frozenset] = {}


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: str
    #: Wrong passwords in a row, and until when (UTC ISO-8601) the account is locked
    #: after too many (None: not locked); an admin may unlock it sooner.
    failed_logins: int = 0
    locked_until: str | None = None


@dataclass(frozen=True)
class Client:
    id: int
    name: str
    address: str | None
    contact: str | None
    created_at: str


@dataclass(frozen=True)
class Stone:
    id: int
    number: str
    submission: str                 # its submission's number
    client: str                     # its client's name
    client_ref: str | None
    weight: str                     # '1.234'
    weight_mct: int
    shape: str | None
    colour: str | None
    clarity: str | None
    cut: str | None
    polish: str | None
    symmetry: str | None
    fluorescence: str | None
    measurements: str | None
    inscription: str | None
    identification: str | None
    growth_method: str | None
    notes: str | None
    state: str
    locked: bool
    received_at: str
    created_at: str
    updated_at: str
    mounted: bool = False           # set in jewellery (not stated: loose)
    #: The grading report the dealer's list names (the lab that graded it before, and
    #: its certificate number) and the origin the dealer declares: the dealer's word,
    #: shown beside the evidence, never counted as evidence.
    earlier_lab: str | None = None
    earlier_report: str | None = None
    declared_origin: str | None = None
    #: When its submission was voided (received by mistake): nothing is proposed or
    #: issued from the stone.  None for a stone of a standing submission.
    voided_at: str | None = None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True)
class Submission:
    id: int
    number: str
    client: str
    reference: str | None
    received_at: str
    declared_count: int | None
    declared_weight: str | None
    received_by: str
    stones: tuple[Stone, ...] = ()
    left_out: tuple[str, ...] = ()  # packing-list columns not imported
    #: What differs from what the client declared (count, weight), in sentences.
    warnings: tuple[str, ...] = ()
    #: A submission received by mistake is voided by a supervisor, with a reason: its
    #: stones are kept, and nothing is proposed or issued from them.
    voided_at: str | None = None
    voided_by: str | None = None
    void_reason: str | None = None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def total_weight(self) -> str:
        from labdesk.core.weights import format_weight
        return format_weight(sum(s.weight_mct for s in self.stones))


@dataclass(frozen=True)
class Attachment:
    id: int
    evidence_id: int
    sha256: str
    filename: str
    size: int
    media_type: str
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Evidence:
    id: int
    kind: str
    target: str                     # the stone's or the submission's number
    level: str                      # 'stone' | 'submission'
    fields: dict                    # every evidence field, in the facade's terms
    created_by: str
    created_at: str
    locked: bool = False
    attachments: tuple[Attachment, ...] = ()

    def __getattr__(self, name):    # ev.reference, ev.origin_countries, ...
        fields = self.__dict__.get("fields") or {}
        if name in fields:
            return fields[name]
        raise AttributeError(name)


@dataclass(frozen=True)
class Finding:
    id: int
    stone: str
    origin: str
    mining_country: str | None
    statement: str
    status: str
    proposed_by: str
    proposed_by_name: str
    proposed_at: str
    decided_by: str | None
    decided_by_name: str | None
    decided_at: str | None
    decision_comment: str | None
    evidence_ids: tuple[int, ...] = ()
    assessments: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    data: dict
    hash: str

    @property
    def changed(self) -> dict:
        return self.data.get("changed", {})


@dataclass(frozen=True)
class StoneDetail:
    """One stone with everything a technician or supervisor looks at."""
    stone: Stone
    evidence: tuple[Evidence, ...]
    findings: tuple[Finding, ...]
    history: tuple[AuditEvent, ...]
    reports: tuple = ()
    #: What the logged-in user may do with the stone now: ``{action: Permission}`` for
    #: each of ``core.permissions.STONE_ACTIONS`` (``.allowed``, ``.why`` when not).
    actions: dict = field(default_factory=dict)

    @property
    def finding(self) -> Finding | None:
        """The current finding (the latest), if any."""
        return self.findings[-1] if self.findings else None


@dataclass(frozen=True)
class Page:
    """One page of a longer list.  ``more_than`` is set when a search matched so many
    that they were not all counted: ``total`` is then ``more_than + 1``."""
    items: tuple
    total: int
    offset: int
    limit: int
    more_than: int | None = None


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    problems: tuple[str, ...]
    events: int = 0
    documents: int = 0
    records: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    id: int
    number: str
    stone: str
    status: str                     # issued | revoked | superseded
    token: str
    qr_text: str
    pdf_path: "object"              # pathlib.Path of the stored PDF
    pdf_sha256: str
    kid: str
    claim: dict
    issued_by: str
    issued_at: str
    supersedes: str | None = None
    superseded_by: str | None = None
    withdrawn_by: str | None = None
    withdrawn_at: str | None = None
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class Verification:
    """What a check of a token found.  ``status``: valid | revoked | superseded | forged |
    malformed | unknown_key."""
    valid: bool
    status: str
    claim: dict
    problems: tuple[str, ...] = ()
    report: str | None = None       # the report number the claim names
    successor: str | None = None    # for a superseded report, when reissued
    reason: str | None = None       # why it was revoked or superseded
    revocations_checked: bool = True

    @property
    def summary(self) -> str:
        """One sentence a retailer can act on."""
        n = self.claim.get("n", "this report") if self.claim else "this report"
        if self.status == "valid":
            return f"Genuine: report {n} was issued by {self.claim.get('lab')} and is " \
                   f"unaltered."
        if self.status == "revoked":
            return f"Revoked: the lab withdrew report {n}" + \
                   (f" ({self.reason})." if self.reason else ".") + " Do not rely on it."
        if self.status == "superseded":
            return f"Superseded: report {n} was replaced" + \
                   (f" by {self.successor}." if self.successor else
                    " (a corrected report is pending).") + " Ask for the new report."
        return "Not genuine: do not trust this report. " + " ".join(self.problems)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public_pem: str
    created_at: str
    retired_at: str | None

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True)
class RuleChange:
    """A stone whose outcome under one jurisdiction moved when its rules changed."""
    id: int
    stone: str
    finding_id: int
    finding_status: str            # proposed | approved (| rejected, reopened: moot)
    report: str | None             # the issued report it concerns, if any
    jurisdiction: str
    assessed_on: str               # the day both assessments are made for
    old_ruleset: str               # "EU 2026.1"
    new_ruleset: str
    old_outcome: str
    new_outcome: str
    worse: bool
    rules: tuple[str, ...]         # "eu-indirect-1ct (proofs changed)"
    found_at: str
    status: str                    # open | kept | reopened | rejected | revoked | settled
    decided_by: str | None = None
    decided_at: str | None = None
    decision_note: str | None = None

    @property
    def blocks_report(self) -> bool:
        """An open change for the worse holds the stone's next report until settled."""
        return self.status == "open" and self.worse


@dataclass(frozen=True)
class RulesReview:
    """What a re-assessment after a rules change found."""
    versions: dict                 # {"EU": ["2026.1", "2026.2"], ...}: from, to
    reassessed: int                # stones assessed again
    changes: tuple[RuleChange, ...]   # found by this run

    @property
    def worse(self) -> int:
        return sum(1 for change in self.changes if change.worse)


@dataclass(frozen=True)
class StoneReturn:
    """One stone handed back to its client: a custody event (a row of ``returns``)."""
    id: int
    receipt: str                   # the receipt's number, shared by the stones handed over together
    stone: str
    client_ref: str | None
    weight: str                    # '1.234'
    weight_mct: int
    from_state: str                # reported | received | rejected (returned ungraded)
    report: str | None             # the report that went with it (None: ungraded)
    report_status: str | None      # issued | revoked | superseded
    collected_by: str              # who collected it, as they named themselves
    id_document: str | None        # the identity document the staff member saw
    note: str | None
    returned_by: str               # the staff member's username (their signature)
    returned_by_name: str
    returned_at: str               # UTC ISO-8601


@dataclass(frozen=True)
class Return:
    """Stones handed back together against one receipt for the collector to sign."""
    receipt: str
    client: str
    submission: str                # the submissions the stones came in, ', '-joined
    collected_by: str
    id_document: str | None
    note: str | None
    returned_by: str
    returned_by_name: str
    returned_at: str
    stones: tuple[StoneReturn, ...]
    receipt_path: object = None    # the receipt's PDF (a Path), once made

    @property
    def total_weight_mct(self) -> int:
        return sum(s.weight_mct for s in self.stones)


@dataclass(frozen=True)
class CustodyEvent:
    """Where a stone was and who had it: received from the client, returned to them."""
    at: str                        # UTC ISO-8601
    kind: str                      # received | returned
    party: str                     # the client (received) or who collected (returned)
    staff: str                     # the staff member's full name
    id_document: str | None = None
    note: str | None = None
    receipt: str | None = None     # a return's receipt, or the submission received
