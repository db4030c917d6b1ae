"""Create, replace, patch and delete records: validated, optimistic, audited, all-or-nothing.

Every change locks the row, checks the client's `If-Match` against the ETag of what GET shows
now, writes, and records the audit event, all in the request's one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.curation.resources import BodyT, RowT, Writable
from app.enums import AuditAction
from app.errors import NotFound, Problem
from app.kit.etag import etag_for, matches
from app.kit.json import dumps, json_pointer


class WriteResult:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.etag = etag_for(dumps(body))


def validation_problem(exc: ValidationError) -> Problem:
    """422 naming each bad field by JSON pointer, as the seed loader names them."""
    errors = [
        {"pointer": json_pointer(error["loc"]), "reason": error["msg"]} for error in exc.errors()
    ]
    return Problem(
        422,
        "The body does not describe a valid record.",
        slug="invalid-body",
        title="Invalid request body",
        errors=errors,
    )


def parse(resource: Writable[RowT, BodyT], body: Any) -> BodyT:
    try:
        return resource.body.model_validate(body)
    except ValidationError as exc:
        raise validation_problem(exc) from exc


def _begin_write(session: Session) -> None:
    audit.share_writes_lock(session)  # never interleaved with a seed load
    # check deferred uniqueness now, so a conflict is a 409 here and never fails the commit
    session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))


def _write(
    session: Session, resource: Writable[RowT, BodyT], key: str, row: RowT | None, data: BodyT
) -> None:
    """Write and flush in a savepoint; a constraint the data breaks (a taken position) is a
    409 however deep in the writer it shows (writers flush to link rows)."""
    try:
        with session.begin_nested():
            resource.write(session, row, data)
    except IntegrityError as exc:
        raise conflict(resource, key, exc) from exc


def conflict(resource: Writable[RowT, BodyT], key: str, exc: IntegrityError) -> Problem:
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("23503", "23001"):  # foreign key or restrict violation
        detail = (
            f"The {resource.name} '{key}' is still referenced by other records; "
            "change or delete those first."
        )
    elif code == "23505":  # unique violation
        detail = (
            f"Another record already uses a unique value of this {resource.name}: "
            f"{getattr(getattr(exc.orig, 'diag', None), 'message_detail', '') or exc.orig}"
        )
    else:
        detail = (
            f"The {resource.name} '{key}' conflicts with the stored data: "
            f"{getattr(getattr(exc.orig, 'diag', None), 'message_primary', '') or exc.orig}"
        )
    return Problem(409, detail, slug="conflict", title="Conflict with stored data")


def _lock(session: Session, resource: Writable[RowT, BodyT], key: str) -> RowT:
    row = session.scalar(select(resource.model).where(resource.key_is(key)).with_for_update())
    if row is None:
        raise NotFound(resource.name, key)
    return row


def _check_precondition(
    session: Session, resource: Writable[RowT, BodyT], key: str, if_match: str | None
) -> dict[str, Any]:
    """The current representation, if the client's If-Match still matches it."""
    if if_match is None:
        raise Problem(
            428,
            "Send If-Match with the ETag from a GET of this record, so that a "
            "concurrent change is never overwritten.",
            slug="precondition-required",
        )
    shown = resource.representation(session, key)
    assert shown is not None
    if not matches(if_match, etag_for(dumps(shown))):
        raise Problem(
            412,
            f"The {resource.name} '{key}' changed since you read it; GET it "
            "again and reapply your change.",
            slug="precondition-failed",
        )
    return shown


def create(session: Session, resource: Writable[RowT, BodyT], body: Any, actor: str) -> WriteResult:
    data = parse(resource, body)
    key = str(getattr(data, "key"))  # noqa: B009
    _begin_write(session)
    if session.scalar(select(resource.key).where(resource.key_is(key))) is not None:
        raise Problem(
            409,
            f"A {resource.name} with the id '{key}' already exists.",
            slug="already-exists",
            title="Conflict with stored data",
        )
    _write(session, resource, key, None, data)
    after = resource.current(session, key)
    audit.record(
        session,
        actor=actor,
        resource=resource.name,
        resource_id=key,
        action=AuditAction.CREATE,
        after=after,
    )
    shown = resource.representation(session, key)
    assert shown is not None
    return WriteResult(shown)


def _invalid_body(detail: str, pointer: str, reason: str) -> Problem:
    return Problem(
        422,
        detail,
        slug="invalid-body",
        title="Invalid request body",
        errors=[{"pointer": pointer, "reason": reason}],
    )


def _update(
    session: Session,
    resource: Writable[RowT, BodyT],
    key: str,
    actor: str,
    if_match: str | None,
    body: Callable[[dict[str, Any]], Any],
) -> WriteResult:
    """Lock, check If-Match, write the body made from the current record, audit, show."""
    _begin_write(session)
    row = _lock(session, resource, key)
    _check_precondition(session, resource, key, if_match)
    before = resource.current(session, key)
    assert before is not None
    _write(session, resource, key, row, parse(resource, body(audit.jsonable(before))))
    audit.record(
        session,
        actor=actor,
        resource=resource.name,
        resource_id=key,
        action=AuditAction.UPDATE,
        before=before,
        after=resource.current(session, key),
    )
    shown = resource.representation(session, key)
    assert shown is not None
    return WriteResult(shown)


def replace(
    session: Session,
    resource: Writable[RowT, BodyT],
    key: str,
    body: Any,
    actor: str,
    if_match: str | None,
) -> WriteResult:
    """PUT: the body is the whole record."""
    if isinstance(body, dict) and body.get("key") != key:
        raise _invalid_body(
            "The body's key must be the id in the URL; ids never change.",
            "/key",
            f"must be '{key}'",
        )
    return _update(session, resource, key, actor, if_match, lambda _current: body)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged


def patch(
    session: Session,
    resource: Writable[RowT, BodyT],
    key: str,
    changes: Any,
    actor: str,
    if_match: str | None,
) -> WriteResult:
    """PATCH: the changes are merged into the current record, which is then validated whole."""
    if not isinstance(changes, dict):
        raise _invalid_body("A merge patch is a JSON object.", "", "expected an object")
    if "key" in changes and changes["key"] != key:
        raise _invalid_body("Ids never change.", "/key", f"must be '{key}'")
    return _update(
        session, resource, key, actor, if_match, lambda current: merge_patch(current, changes)
    )


def remove(
    session: Session, resource: Writable[RowT, BodyT], key: str, actor: str, if_match: str | None
) -> None:
    _begin_write(session)
    row = _lock(session, resource, key)
    _check_precondition(session, resource, key, if_match)
    before = resource.current(session, key)
    try:
        with session.begin_nested():
            session.execute(delete(resource.model).where(resource.key_is(key)))
    except IntegrityError as exc:
        raise conflict(resource, key, exc) from exc
    session.expunge(row)
    audit.record(
        session,
        actor=actor,
        resource=resource.name,
        resource_id=key,
        action=AuditAction.DELETE,
        before=before,
    )
