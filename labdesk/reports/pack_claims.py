"""The signed digest of a client's compliance pack (docs/formats.md), beside the report's
claim (``claims``, ``LD1.``, which it leaves unchanged).

    token   = "LDP1." + b64url(claim) + "." + b64url(signature)           (no padding)
    claim   = UTF-8 JSON, keys sorted, no spaces:
              v (1), kid, lab, sub (the submission's number), d (the pack's date,
              YYYY-MM-DD: the day its outcomes were assessed), n (how many stones, as
              text), h (hex SHA-256 of the pack's content, below)
    content = the pack's canonical content: UTF-8 JSON, keys sorted, no spaces (every
              line of the pack as text); the PDF carries it as the attachment
              ``pack.json``
    signature = Ed25519 over the exact claim bytes, with the lab's report-signing key;
    kid as in ``LD1.``.

Parsing never raises on bad input: ``check`` returns a ``claims.Parsed``.
"""
from __future__ import annotations

import binascii
import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature

from labdesk.reports.claims import Parsed, b64url, canonical_bytes, unb64url

PREFIX = "LDP1."
KEYS = ("v", "kid", "lab", "sub", "d", "n", "h")
MAX_TOKEN = 2048


def digest(content_bytes: bytes) -> str:
    return hashlib.sha256(content_bytes).hexdigest()


def claim(kid: str, lab: str, submission: str, day: str, stones: int,
          content_bytes: bytes) -> dict:
    return {"v": 1, "kid": kid, "lab": lab, "sub": submission, "d": day,
            "n": str(stones), "h": digest(content_bytes)}


def sign(private_key, body: dict) -> str:
    data = canonical_bytes(body)
    return PREFIX + b64url(data) + "." + b64url(private_key.sign(data))


def is_pack_token(text) -> bool:
    return isinstance(text, str) and "".join(text.split()).rsplit("#", 1)[-1] \
        .startswith(PREFIX)


def check(text, public_keys: dict) -> Parsed:
    """Structure, key id and signature of a pack token; never raises."""
    if not isinstance(text, str) or not text.strip():
        return Parsed("malformed", problems=["there is no pack digest to check"])
    token = "".join(text.split()).rsplit("#", 1)[-1]
    if len(token) > MAX_TOKEN:
        return Parsed("malformed", problems=["the pack digest is far too long to be "
                                             "genuine"])
    if not token.startswith(PREFIX):
        return Parsed("malformed", problems=["this is not a LabDesk pack digest (it does "
                                             "not start with LDP1.)"])
    parts = token[len(PREFIX):].split(".")
    if len(parts) != 2 or not all(parts):
        return Parsed("malformed", problems=["the pack digest is incomplete; it may be "
                                             "truncated"])
    try:
        data, signature = unb64url(parts[0]), unb64url(parts[1])
        body = json.loads(data.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return Parsed("malformed", problems=["the pack digest is damaged"])
    if not isinstance(body, dict) or sorted(body) != sorted(KEYS) or body["v"] != 1 or \
            not all(isinstance(body[k], str) for k in KEYS[1:]) or \
            not re.fullmatch(r"[0-9a-f]{16}", body["kid"]) or \
            not re.fullmatch(r"[0-9a-f]{64}", body["h"]):
        return Parsed("malformed", claim=body if isinstance(body, dict) else {},
                      problems=["the pack digest's fields are not those of version 1"])
    if canonical_bytes(body) != data:
        return Parsed("forged", claim=body, problems=[
            "the pack digest is not in its signed form (its bytes were rewritten)"])
    key = public_keys.get(body["kid"])
    if key is None:
        return Parsed("unknown_key", claim=body, problems=[
            f"the pack was signed with key {body['kid']}, which is not one of this lab's "
            f"keys"])
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return Parsed("forged", claim=body, problems=[
            "the signature does not match the pack digest: it was altered or forged"])
    return Parsed("valid", claim=body)
