"""Schemathesis checks for Chronicle's GraphQL API, loaded with SCHEMATHESIS_HOOKS=<path to this file>.

Schemathesis's own `not_a_server_error` treats every GraphQL error raised in a resolver as a server
failure, but Chronicle answers a refused command (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VALIDATION,
CONFLICT, ...) with a typed error in a 200 response, by design. This check judges a response by what
Chronicle promises instead:

- no 5xx status;
- every error carries `extensions.code`, and none is `INTERNAL` (an error nobody mapped: unhandled);
- nothing in the body looks like an internal leaking out: a stack trace, a server file path, a
  PostgreSQL error, or a JavaScript runtime error message.
"""

from __future__ import annotations

import json
import re

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

LEAKS = [
    ("a stack trace", re.compile(r"\n\s+at [^\n]+:\d+:\d+|\bat (?:async )?[\w.<>]+ \((?:file://)?/[^)]*:\d+:\d+\)")),
    ("a server file path", re.compile(r"(?:file://)?/(?:work|home|root|usr|opt|srv|app)/[\w.@/-]+\.(?:ts|js|mjs|cjs)\b")),
    ("a node_modules path", re.compile(r"node_modules/")),
    (
        "a PostgreSQL error",
        re.compile(
            r"syntax error at or near|relation \"[^\"]+\" does not exist|column \"[^\"]+\" (?:does not exist|of relation)"
            r"|violates (?:unique|foreign key|check|not-null) constraint|duplicate key value|invalid input syntax for type"
            r"|out of range for type|value too long for type|\bes_events\b|\bes_streams\b",
            re.IGNORECASE,
        ),
    ),
]
RUNTIME_ERRORS = re.compile(
    r"Cannot read propert|Cannot destructure|is not a function|is not defined|is not iterable"
    r"|\b(?:TypeError|ReferenceError|RangeError|SyntaxError)\b|ECONNREFUSED|Maximum call stack"
)


def _fields(pairs):
    return nodes.Object([graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in pairs])


_LEAF = st.one_of(
    st.text(max_size=64).map(nodes.String),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    st.booleans().map(nodes.Boolean),
)
_INNER = st.lists(
    st.tuples(
        st.sampled_from(["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]),
        _LEAF,
    ),
    max_size=5,
    unique_by=lambda pair: pair[0],
).map(_fields)
_CREDENTIAL = st.tuples(
    st.lists(
        st.tuples(st.sampled_from(["id", "rawId", "type", "authenticatorAttachment"]), _LEAF),
        max_size=4,
        unique_by=lambda pair: pair[0],
    ),
    _INNER,
).map(lambda parts: _fields([*parts[0], ("response", parts[1])]))

# WebAuthnJSON (passkeys) is an input scalar: credential-shaped objects with fields of any kind, and
# values that are not objects at all (the scalar itself must refuse those with a typed error).
schemathesis.graphql.scalar("WebAuthnJSON", st.one_of(_CREDENTIAL, _LEAF))

# JSONObject is an input too since offline sync (a pushed change's `payload`): objects keyed by the
# change types' payload fields and by prototype names (`__proto__`, `constructor`), nested once,
# and values that are not objects at all (the change is then refused on its own, with a code).
_PAYLOAD_KEYS = st.sampled_from(
    ["displayName", "bio", "percent", "body", "title", "text", "answers", "questionId", "__proto__", "constructor", "prototype"]
)
_PAYLOAD_INNER = st.lists(st.tuples(_PAYLOAD_KEYS, _LEAF), max_size=4, unique_by=lambda pair: pair[0]).map(_fields)
_PAYLOAD = st.lists(
    st.tuples(_PAYLOAD_KEYS, st.one_of(_LEAF, _PAYLOAD_INNER, st.lists(_LEAF, max_size=3).map(nodes.List))),
    max_size=5,
    unique_by=lambda pair: pair[0],
).map(_fields)
schemathesis.graphql.scalar("JSONObject", st.one_of(_PAYLOAD, _LEAF))


@schemathesis.check
def chronicle_graphql_contract(ctx, response, case):
    """No 5xx, no unmapped or INTERNAL error, no leaked internals."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {_excerpt(response.content)}")
    text = response.content.decode("utf-8", errors="replace")
    for what, pattern in LEAKS:
        match = pattern.search(text)
        if match:
            raise AssertionError(f"the response leaks {what}: {match.group(0)!r} in {_excerpt(response.content)}")
    try:
        payload = json.loads(text)
    except ValueError:
        raise AssertionError(f"the response is not JSON: {_excerpt(response.content)}") from None
    if not isinstance(payload, dict):
        raise AssertionError(f"the response is not a JSON object: {_excerpt(response.content)}")
    for error in payload.get("errors") or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        if not isinstance(code, str):
            raise AssertionError(f"an error without extensions.code: {json.dumps(error)[:500]}")
        if code == "INTERNAL":
            raise AssertionError(f"an unhandled error (INTERNAL): {json.dumps(error)[:500]}")
        runtime = RUNTIME_ERRORS.search(message)
        if runtime:
            raise AssertionError(f"an error message leaks a runtime error ({runtime.group(0)!r}): {message[:500]}")


def _excerpt(content: bytes) -> str:
    return content[:500].decode("utf-8", errors="replace")
