"""API keys: generated once, stored as a slow hash, verified in constant time.

A key reads `crsv_<prefix>_<secret>`. The prefix finds the row; the secret is checked against
an scrypt hash. Verified keys are remembered in-process by a fast digest, so a client pays the
slow hash once, while revocation still takes effect at once (the row is read every request).
Only successes are remembered: every wrong secret costs one full scrypt, whether its prefix
exists or not (an unknown prefix is checked against `DUMMY_HASH`), so timing tells nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass

KEY_PATTERN = re.compile(r"^crsv_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_REMEMBERED = 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


DUMMY_HASH = f"scrypt${_b64(secrets.token_bytes(16))}${_b64(secrets.token_bytes(32))}"
"""A well-formed hash that no secret matches: what a key with an unknown prefix is checked
against, at the same cost as a real one."""

_verified: dict[tuple[bytes, str], None] = {}
_verified_lock = threading.Lock()


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret: str

    @property
    def token(self) -> str:
        return f"crsv_{self.prefix}_{self.secret}"


def generate() -> NewKey:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(8))
    return NewKey(prefix=prefix, secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_b64(salt)}${_b64(digest)}"


def parse(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    match = KEY_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def verify(secret: str, stored: str) -> bool:
    """Whether `secret` matches the `stored` hash; a match is remembered, a miss never is."""
    # keyed by the stored hash too, so a re-issued key never hits a stale entry
    memo = (hashlib.sha256(secret.encode()).digest(), stored)
    if memo in _verified:
        return True
    if not _scrypt_matches(secret, stored):
        return False
    with _verified_lock:
        _verified[memo] = None
        if len(_verified) > _REMEMBERED:
            del _verified[next(iter(_verified))]  # the oldest
    return True


def _scrypt_matches(secret: str, stored: str) -> bool:
    try:
        scheme, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(actual, base64.b64decode(expected))
