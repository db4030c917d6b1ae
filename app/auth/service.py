"""API key management and authentication (flush only; the caller commits)."""

from __future__ import annotations

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from app.auth import keys
from app.enums import Scope
from app.models import ApiKey

ONE_MINUTE = text("interval '1 minute'")


class KeyNameTaken(Exception):
    pass


def create_key(session: Session, name: str, scope: Scope) -> str:
    """Store a new key and return its token: the only time it is ever shown."""
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise KeyNameTaken(name)
    new = keys.generate()
    session.add(
        ApiKey(name=name, prefix=new.prefix, secret_hash=keys.hash_secret(new.secret), scope=scope)
    )
    session.flush()
    return new.token


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def revoke_key(session: Session, name: str) -> bool:
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def authenticate(session: Session, token: str) -> ApiKey | None:
    """The live key matching `token`, its use recorded; None for anything else."""
    parsed = keys.parse(token)
    if parsed is None:
        return None
    prefix, secret = parsed
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    # the secret is checked even when no key has this prefix, or the key is revoked: a wrong
    # key costs one scrypt either way, so timing does not tell which prefixes exist
    matches = keys.verify(secret, keys.DUMMY_HASH if key is None else key.secret_hash)
    if key is None or key.revoked_at is not None or not matches:
        return None
    # at most one write a minute per key, so reads with a key stay cheap
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key.id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < func.now() - ONE_MINUTE),
        )
        .values(last_used_at=func.now())
    )
    return key
