"""Optimistic concurrency over HTTP: ETag out, If-Match in.

A shared record's ETag is its version, quoted. Changing it needs If-Match with
that ETag: none gives 428, a stale one 412 (RFC 9110 section 13.1.1).
"""

from __future__ import annotations

import re

from sharehub.errors import BadRequest, VersionRequired

_STRONG_ETAG = re.compile(r'^\s*"(\d{1,9})"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    if if_match is None or not if_match.strip():
        raise VersionRequired()
    found = _STRONG_ETAG.match(if_match)
    if found is None:
        # "*" and weak or listed tags cannot name the one version a change was made against.
        raise BadRequest(
            'If-Match must be the single ETag you read, for example "3"', field="If-Match"
        )
    return int(found.group(1))
