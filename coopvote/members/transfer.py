"""Bulk import and export of the register as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.db.types import new_public_id
from coopvote.errors import InvalidInput
from coopvote.members.accounts import invite
from coopvote.members.models import NO_PASSWORD, Member, MemberStatus, normalise_email
from coopvote.members.rules import Transition, email_problem, name_problem
from coopvote.members.service import add_applicant, change_status
from coopvote.members.views import (
    RegisterQuery,
    constituency_by_slug,
    organisation_by_slug,
    search_register,
)
from coopvote.spreadsheet import safe_cell

EXPORT_COLUMNS = [
    "member_number",
    "name",
    "email",
    "status",
    "constituency",
    "organisation",
    "applied_at",
]
IMPORT_COLUMNS = frozenset({"name", "email", "constituency", "organisation"})
#: Imported members start here; ``active`` ones are admitted on import and get a number.
IMPORTABLE_STATUSES = {MemberStatus.PENDING.value, MemberStatus.ACTIVE.value}


@dataclass(frozen=True)
class ImportReport:
    added: int
    already_registered: int

    def __add__(self, other: ImportReport) -> ImportReport:
        return ImportReport(
            self.added + other.added, self.already_registered + other.already_registered
        )


def export_rows(session: Session, query: RegisterQuery | None = None) -> Iterator[list[str]]:
    """The register as CSV rows, header first, read a page at a time."""
    yield EXPORT_COLUMNS
    base = query or RegisterQuery()
    page_number = 1
    while True:
        page = search_register(
            session,
            RegisterQuery(
                search=base.search,
                status=base.status,
                constituency=base.constituency,
                organisation=base.organisation,
                page=page_number,
                per_page=1000,
            ),
        )
        for m in page.items:
            yield [
                "" if m.member_number is None else str(m.member_number),
                m.name,
                m.email,
                m.status.value,
                m.constituency or "",
                m.organisation or "",
                m.applied_at.isoformat(),
            ]
        if page_number >= page.pages:
            return
        page_number += 1


def write_csv(rows: Iterable[list[str]], out: TextIO) -> int:
    writer = csv.writer(out)
    count = -1  # the header is not a member
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    return count


def export_register(
    session: Session, query: RegisterQuery, out: TextIO, *, actor_id: int | None, now: datetime
) -> int:
    """Write the members ``query`` selects (every page of them) to ``out`` as CSV, and record
    who exported how many: the register holds personal data. Returns the number of members."""
    count = write_csv(export_rows(session, query), out)
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="members.exported",
        subject="register",
        now=now,
        data={"rows": count},
    )
    return count


#: Rows stored per transaction by ``coopvote members import``: each batch holds the write
#: lock for a moment only, so the live site keeps answering during a long import.
IMPORT_BATCH = 25
#: Seconds between batches: SQLite's waiting writers poll for the lock every 100 ms at most,
#: and a batch taken straight after the last could starve them.
IMPORT_PAUSE = 0.1
#: The longest field a row may hold, in characters (longer than any name or email we take).
MAX_FIELD = 1000
#: The longest line, in characters: room for every column at ``MAX_FIELD``.
MAX_LINE = 10 * MAX_FIELD


@dataclass(frozen=True)
class ImportRow:
    #: The line of the file the row starts on, counted from 1 (the header).
    line: int
    fields: dict[str, str]


def decode(data: bytes) -> str:
    """A CSV file's bytes as text (UTF-8, with or without a byte order mark); ``InvalidInput``
    naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise InvalidInput(f"line {line}: the file is not UTF-8 text") from None


def read_csv(text: str, columns: frozenset[str] = IMPORT_COLUMNS) -> list[ImportRow]:
    """The rows of an import file (or another CSV file of the register's, with ``columns``);
    ``InvalidInput`` naming the line of the first thing that is not CSV as we take it:
    missing columns, a NUL character, a field over ``MAX_FIELD`` characters, a quote left
    open. A leading byte order mark (spreadsheets write one) is not part of the header."""
    text = text.removeprefix("\ufeff")
    for line, content in enumerate(text.split("\n"), start=1):
        if "\x00" in content:
            raise InvalidInput(f"line {line}: the file holds a NUL character")
        if len(content) > MAX_LINE:
            raise InvalidInput(f"line {line}: the line is longer than {MAX_LINE} characters")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[ImportRow] = []
    try:
        missing = columns - set(reader.fieldnames or [])
        if missing:
            raise InvalidInput(f"line 1: missing column(s): {', '.join(sorted(missing))}")
        for line, fields in ((reader.line_num, row) for row in reader):
            for name, value in fields.items():
                if len(value or "") > MAX_FIELD or name is None:
                    what = "a row has more fields than the header" if name is None else name
                    raise InvalidInput(f"line {line}: {what} is too long or out of place")
            rows.append(ImportRow(line, fields))
    except csv.Error as problem:
        raise InvalidInput(f"line {reader.line_num}: {problem}") from None
    return rows


def check_rows(session: Session, rows: Iterable[ImportRow]) -> None:
    """``InvalidInput`` listing every bad row by its line, or nothing: run it over the whole
    file before storing any of it, so that a bad file imports nobody."""
    problems: list[str] = []
    seen: set[str] = set()
    for row in rows:
        problems.extend(f"line {row.line}: {p}" for p in _row_problems(session, row.fields, seen))
    if problems:
        raise InvalidInput("The file was not imported:\n" + "\n".join(problems))


def add_rows(
    session: Session,
    rows: Sequence[ImportRow],
    *,
    actor_id: int | None,
    now: datetime,
    progress: Callable[[int], None] = lambda _: None,
) -> ImportReport:
    """Store the checked ``rows`` whose email is not registered yet (so importing a file
    twice adds nobody twice), and record the import: one call per transaction."""
    emails = [normalise_email(r.fields["email"]) for r in rows]
    existing = set(session.exec(select(Member.email).where(col(Member.email).in_(emails))).all())
    added = 0
    for row, email in zip(rows, emails, strict=True):
        if email not in existing:
            _add(session, row.fields, email, actor_id=actor_id, now=now)
            added += 1
        progress(1)
    report = ImportReport(added=added, already_registered=len(rows) - added)
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="members.imported",
        subject="register",
        now=now,
        data={
            "added": report.added,
            "already_registered": report.already_registered,
            "lines": f"{rows[0].line}-{rows[-1].line}" if rows else "",
        },
    )
    return report


def import_csv(
    session: Session,
    source: TextIO,
    *,
    actor_id: int | None,
    now: datetime,
    progress: Callable[[int], None] = lambda _: None,
) -> ImportReport:
    """Add every new member in the file, or none, in one transaction: all rows are checked
    before any is stored. Idempotent on email. Raises ``InvalidInput`` naming bad rows by
    line. (``coopvote members import`` runs the same steps in batches.)"""
    rows = read_csv(source.read())
    check_rows(session, rows)
    return add_rows(session, rows, actor_id=actor_id, now=now, progress=progress)


def _row_problems(session: Session, row: dict[str, str], seen: set[str]) -> list[str]:
    email = normalise_email(row.get("email") or "")
    status = (row.get("status") or MemberStatus.ACTIVE.value).strip()
    problems = [p for p in (name_problem(row.get("name") or ""), email_problem(email)) if p]
    if email in seen:
        problems.append(f"{email} appears twice in the file")
    seen.add(email)
    if organisation_by_slug(session, (row.get("organisation") or "").strip()) is None:
        problems.append(f"unknown organisation {row.get('organisation')!r}")
    if constituency_by_slug(session, (row.get("constituency") or "").strip()) is None:
        problems.append(f"unknown constituency {row.get('constituency')!r}")
    if status not in IMPORTABLE_STATUSES:
        problems.append(f"status must be one of {', '.join(sorted(IMPORTABLE_STATUSES))}")
    return problems


def _add(
    session: Session, row: dict[str, str], email: str, *, actor_id: int | None, now: datetime
) -> None:
    organisation = organisation_by_slug(session, row["organisation"].strip())
    constituency = constituency_by_slug(session, row["constituency"].strip())
    assert organisation is not None
    assert constituency is not None
    member = add_applicant(
        session,
        public_id=new_public_id(),
        name=row["name"],
        email=email,
        password_hash=NO_PASSWORD,
        constituency=constituency,
        organisation=organisation,
        now=now,
        actor_id=actor_id,
    )
    if (row.get("status") or MemberStatus.ACTIVE.value).strip() == MemberStatus.ACTIVE.value:
        change_status(
            session,
            member=member,
            transition=Transition.ADMITTED,
            actor_id=actor_id,
            now=now,
            reason="imported",
            notify=False,
        )
    invite(session, member=member, actor_id=actor_id, now=now)
