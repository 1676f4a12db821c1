"""Our checks for `schemathesis run` (loaded by tests/server/test_schemathesis.py).

Loaded through SCHEMATHESIS_HOOKS, so they work the same when someone runs the
command that a failing test prints.
"""

from __future__ import annotations

from typing import Any

import schemathesis

# A token no server of ours ever issued (the "wrong token" caller sends it).
WRONG_TOKEN = "dev_not-issued-by-this-server"


@schemathesis.check
def error_is_json_with_code_and_message(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error answer is JSON with a machine-readable code and a message."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (
        f"a {response.status_code} answered as {content_type!r}: {response.text[:200]!r}"
    )
    body = response.json()
    assert isinstance(body, dict), f"a {response.status_code} answered {body!r}"
    assert isinstance(body.get("code"), str) and body["code"], f"no code in {body!r}"
    assert isinstance(body.get("message"), str) and body["message"], f"no message in {body!r}"
    return None


@schemathesis.check
def wrong_token_gets_no_2xx(ctx: Any, response: Any, case: Any) -> bool | None:
    """An operation that needs a token never succeeds with one this server never issued."""
    sent = response.request.headers.get("Authorization", "")
    if sent != f"Bearer {WRONG_TOKEN}" or not case.operation.definition.raw.get("security"):
        return None
    assert not 200 <= response.status_code < 300, (
        f"{case.method} {case.path} answered {response.status_code} to a wrong token"
    )
    return None
