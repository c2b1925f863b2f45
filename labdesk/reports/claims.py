"""The signed claim: a wire format retailers' verifiers depend on (design.md).

    token  = "LD1." + b64url(claim) + "." + b64url(signature)      (no padding)
    claim  = UTF-8 JSON, keys sorted, no spaces:
             v, kid, lab, n, d, w, sh, col, cla, id (N | LG), o (NR | RU | UD), mc
    signature = Ed25519 over the exact claim bytes
    kid    = hex of the first 8 bytes of SHA-256 of the 32-byte raw public key
    revocation list = "LDR1." + b64url(JSON {"v":1,"kid","at","revoked":[...]}) + "." + sig

Parsing never raises on bad input: it returns a ``Parsed`` whose ``status`` says what is
wrong (``malformed``, ``unknown_key``, ``forged``) and ``problems`` says it in words.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

PREFIX = "LD1."
REVOCATION_PREFIX = "LDR1."
MAX_TOKEN = 4096            # a QR holds far less; anything longer is not a token
CLAIM_KEYS = ("v", "kid", "lab", "n", "d", "w", "sh", "col", "cla", "id", "o", "mc")
REQUIRED_KEYS = ("v", "kid", "lab", "n", "d", "w", "sh", "col", "cla", "id", "o")
IDENTIFICATION_CODES = {"natural": "N", "laboratory_grown": "LG"}
ORIGIN_CODES = {"non_russian": "NR", "russian": "RU", "undetermined": "UD"}
_B64 = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Decode unpadded base64url; ValueError for anything else."""
    if not _B64.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8].hex()


def canonical_bytes(obj: dict) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def sign(private_key: Ed25519PrivateKey, claim: dict) -> str:
    """The token for ``claim`` (its bytes are the canonical JSON)."""
    data = canonical_bytes(claim)
    return PREFIX + b64url(data) + "." + b64url(private_key.sign(data))


@dataclass
class Parsed:
    """The outcome of checking a token's structure and signature."""
    status: str                     # valid | forged | malformed | unknown_key
    claim: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def extract_token(text) -> str:
    """The token inside a bare token, a URL with it after '#', or either with stray
    whitespace (a scanner may add a newline, a phone may add spaces)."""
    if not isinstance(text, str):
        return ""
    text = text.strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    return "".join(text.split())


def check_token(text, public_keys: dict[str, Ed25519PublicKey]) -> Parsed:
    """Check structure, key id and signature of a token; never raises."""
    if not isinstance(text, str) or not text.strip():
        return Parsed("malformed", problems=["there is no token to check"])
    if len(text) > MAX_TOKEN * 4:
        return Parsed("malformed", problems=[f"the text is {len(text):,} characters; a "
                                             f"LabDesk token is a few hundred"])
    token = extract_token(text)
    if len(token) > MAX_TOKEN:
        return Parsed("malformed", problems=["the token is far too long to be genuine"])
    if not token.startswith(PREFIX):
        return Parsed("malformed", problems=["this is not a LabDesk report token (it "
                                             "does not start with LD1.)"])
    parts = token[len(PREFIX):].split(".")
    if len(parts) != 2 or not all(parts):
        return Parsed("malformed", problems=["the token is incomplete (it needs a claim "
                                             "and a signature); it may be truncated"])
    try:
        data, signature = unb64url(parts[0]), unb64url(parts[1])
    except (ValueError, binascii.Error):
        return Parsed("malformed", problems=["the token is damaged (not valid base64url)"])
    try:
        claim = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[...
        return Parsed("malformed", problems=["the token's claim is not readable JSON"])
    if not isinstance(claim, dict):
        return Parsed("malformed", problems=["the token's claim is not a record"])
    problems = _claim_problems(claim)
    if problems:
        return Parsed("malformed", claim=claim, problems=problems)
    if canonical_bytes(claim) != data:
        return Parsed("forged", claim=claim, problems=[
            "the claim is not in its signed form (its bytes were rewritten)"])
    key = public_keys.get(claim["kid"])
    if key is None:
        return Parsed("unknown_key", claim=claim, problems=[
            f"the report was signed with key {claim['kid']}, which is not one of this "
            f"lab's keys"])
    if len(signature) != 64:
        return Parsed("forged", claim=claim, problems=["the signature has the wrong "
                                                       "length"])
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return Parsed("forged", claim=claim, problems=[
            "the signature does not match the claim: the report was altered or forged"])
    return Parsed("valid", claim=claim)


def _claim_problems(claim: dict) -> list[str]:
    missing = [k for k in REQUIRED_KEYS if k not in claim]
    if missing:
        return [f"the claim lacks {', '.join(missing)}"]
    unknown = [k for k in claim if k not in CLAIM_KEYS]
    if unknown:
        return [f"the claim has unknown fields: {', '.join(sorted(unknown))}"]
    if claim["v"] != 1:
        return [f"claim version {claim['v']!r} is not one this verifier knows"]
    if not all(isinstance(claim[k], str) for k in CLAIM_KEYS[1:] if k in claim):
        return ["the claim's fields are not all text"]
    if not re.fullmatch(r"[0-9a-f]{16}", claim["kid"]):
        return ["the claim's key id is not 16 hex digits"]
    return []


def altered(token_or_url: str, **changes) -> str:
    """A copy of a token (or verify URL) with claim fields changed and the signature
    kept: what an edited certificate looks like, for self-tests and demonstrations.
    Without ``changes`` the carat weight is raised by one."""
    prefix, _, token = token_or_url.rpartition("#")
    body, signature = token[len(PREFIX):].split(".")
    claim = json.loads(unb64url(body))
    claim.update(changes or {"w": f"{float(claim.get('w', '1.00')) + 1:.2f}"})
    forged = PREFIX + b64url(canonical_bytes(claim)) + "." + signature
    return f"{prefix}#{forged}" if prefix else forged


def sign_revocations(private_key: Ed25519PrivateKey, kid: str, at: str,
                     revoked: list[str], superseded: dict[str, str] | None = None) -> str:
    """The signed revocation list (``LDR1.``, design.md): the withdrawn report numbers,
    and (an extension verifiers may ignore) each superseded report's successor."""
    body = {"v": 1, "kid": kid, "at": at, "revoked": sorted(revoked)}
    if superseded is not None:
        body["superseded"] = superseded
    data = canonical_bytes(body)
    return REVOCATION_PREFIX + b64url(data) + "." + b64url(private_key.sign(data))


def check_revocations(text: str, public_keys: dict[str, Ed25519PublicKey]) -> dict | None:
    """The revocation list's body when its signature holds, else None."""
    try:
        text = text.strip()
        if not text.startswith(REVOCATION_PREFIX):
            return None
        body_text, sig_text = text[len(REVOCATION_PREFIX):].split(".")
        body, signature = unb64url(body_text), unb64url(sig_text)
        parsed = json.loads(body)
        key = public_keys.get(parsed.get("kid"))
        if key is None or not isinstance(parsed.get("revoked"), list):
            return None
        key.verify(signature, body)
        return parsed
    except (ValueError, InvalidSignature, AttributeError, binascii.Error,
            UnicodeDecodeError, RecursionError, TypeError):
        return None
