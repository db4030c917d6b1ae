"""API keys: generated once, stored as a slow hash, verified in constant time.

A key reads `crsv_<prefix>_<secret>`. The prefix finds the row; the secret is checked against
an scrypt hash. Verified keys are remembered in-process by a fast digest, so a client pays the
slow hash once, while revocation still takes effect at once (the row is read every request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

KEY_PATTERN = re.compile(r"^crsv_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


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
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def parse(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    match = KEY_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def verify(secret: str, stored: str) -> bool:
    return _verify_cached(hashlib.sha256(secret.encode()).hexdigest(), secret, stored)


@lru_cache(maxsize=1024)
def _verify_cached(_digest: str, secret: str, stored: str) -> bool:
    # keyed by the stored hash too, so a re-issued key never hits a stale entry
    try:
        scheme, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(actual, base64.b64decode(expected))
