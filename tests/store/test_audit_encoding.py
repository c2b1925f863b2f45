"""The chain's canonical text: orjson writes it fast, and must write exactly what ``json``
wrote (events hashed by earlier releases are verified by recomputing their hashes)."""
from __future__ import annotations

import json

import pytest

from labdesk.store import audit

_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_every_code_point_is_escaped_as_json_escapes_it():
    differ = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF
              and audit.canonical([f'a{chr(cp)}"\\']) != _JSON.encode([f'a{chr(cp)}"\\'])]
    assert differ == []


@pytest.mark.parametrize("value", [
    [1, "D0000001", None, -5, 2 ** 63 - 1, True, False],
    {"row": {"z": 1, "a": "é\u2028\x00\x1f", "m": [None, {"b": 2, "a": 1}]}},
    "\ud800 a lone surrogate",          # orjson refuses it: json writes it
    {"big": 2 ** 80},                   # beyond 64 bits: json again
    {3: "a key that is not text"},      # json makes it text
])
def test_canonical_text_is_json_text(value):
    assert audit.canonical(value) == _JSON.encode(value)


def test_an_event_hash_is_the_hash_json_gave():
    fields = [7, "2026-11-29T10:00:00.000000Z", "tom", "stone.update", "stones", "12", 12,
              3, '{"row":{"notes":"a \\"quoted\\" feather"}}']
    import hashlib
    expected = hashlib.sha256(("ab" * 32 + "\n" + _JSON.encode(fields)).encode()).hexdigest()
    assert audit.event_hash("ab" * 32, fields) == expected
