"""Schemathesis hooks for tests/system/openapi_fuzz_test.cpp (loaded by SCHEMATHESIS_HOOKS).

Writes the position of every event a command request was answered with, one per line, to the
file MICROJOBS_POSITIONS_FILE: the X-Position header and every "position" in the body of a 2xx
answer to a POST, PUT or DELETE (a bulk review answers one per decision). The test then finds
each record of the log among them: a record no accepted command was answered with would have
been appended for a rejected request.
"""
import json
import os

import schemathesis


def positions_in(value):
    if isinstance(value, dict):
        for key, member in value.items():
            if key == "position" and isinstance(member, str):
                yield member
            else:
                yield from positions_in(member)
    elif isinstance(value, list):
        for member in value:
            yield from positions_in(member)


@schemathesis.hook
def after_call(context, case, response):
    if case.method.upper() not in ("POST", "PUT", "DELETE") or not 200 <= response.status_code < 300:
        return
    found = list(response.headers.get("x-position", []))
    try:
        found += positions_in(json.loads(response.content))
    except ValueError:
        pass  # not JSON: the header is all there is
    with open(os.environ["MICROJOBS_POSITIONS_FILE"], "a", encoding="utf-8") as out:
        for position in found:
            out.write(position + "\n")
