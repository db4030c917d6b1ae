"""Entity tags: one digest of a response body, compared as HTTP's weak comparison says.

Reads (conditional GET) and writes (`If-Match`) both use them, so a write accepts exactly the
ETag a GET of the same record showed.
"""

from __future__ import annotations

import hashlib


def etag_for(body: bytes) -> str:
    # weak: the same data may also travel gzip-encoded
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(header: str, etag: str) -> bool:
    """Weak comparison of an If-Match / If-None-Match header with an ETag."""
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag.removeprefix("W/") in candidates
