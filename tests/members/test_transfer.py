import io

import pytest
from sqlmodel import Session, func, select

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import InvalidInput
from coopvote.members.models import Member, MemberStatus
from coopvote.members.transfer import (
    IMPORT_BATCH,
    ImportReport,
    add_rows,
    check_rows,
    decode,
    export_rows,
    import_csv,
    read_csv,
    write_csv,
)
from tests.factories import ensure_organisation, make_member

GOOD = """name,email,constituency,organisation,status
Ann Able,ann@example.org,parents-carers,the-grange,active
Bob Best,BOB@example.org,staff,the-grange,
Cat Cole,cat@example.org,students,the-grange,pending
"""


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Member)).one()


def test_import_adds_members_admitting_the_active_ones(session: Session) -> None:
    ensure_organisation(session)
    report = import_csv(session, io.StringIO(GOOD), actor_id=None, now=utcnow())
    assert (report.added, report.already_registered) == (3, 0)
    statuses = dict(session.exec(select(Member.email, Member.status)).all())
    assert statuses == {
        "ann@example.org": MemberStatus.ACTIVE,
        "bob@example.org": MemberStatus.ACTIVE,
        "cat@example.org": MemberStatus.PENDING,
    }


def test_importing_the_same_file_twice_adds_nobody_twice(session: Session) -> None:
    ensure_organisation(session)
    import_csv(session, io.StringIO(GOOD), actor_id=None, now=utcnow())
    again = import_csv(session, io.StringIO(GOOD), actor_id=None, now=utcnow())
    assert (again.added, again.already_registered) == (0, 3)
    assert count(session) == 3


def test_a_bad_file_reports_every_problem_by_line_and_imports_nothing(session: Session) -> None:
    ensure_organisation(session)
    bad = GOOD + (
        "Dan Dee,not-an-email,staff,the-grange,active\n"
        ",eve@example.org,aliens,the-grange,active\n"
        "Fay Fox,ann@example.org,staff,nowhere,ceased\n"
    )
    with pytest.raises(InvalidInput) as raised:
        import_csv(session, io.StringIO(bad), actor_id=None, now=utcnow())
    message = raised.value.detail
    assert "line 5: Enter an email address" in message
    assert "line 6: Enter your name" in message
    assert "line 6: unknown constituency 'aliens'" in message
    assert "line 7: ann@example.org appears twice" in message
    assert "line 7: unknown organisation 'nowhere'" in message
    assert "line 7: status must be" in message
    assert "line 2" not in message
    assert count(session) == 0


def test_a_file_without_the_needed_columns_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput, match="missing column"):
        import_csv(session, io.StringIO("name,email\nA,a@b.org\n"), actor_id=None, now=utcnow())


def test_export_writes_the_whole_register_and_defuses_formulas(session: Session) -> None:
    make_member(session, name="=HYPERLINK(evil)")
    make_member(session, name="Plain Name")
    out = io.StringIO()
    assert write_csv(export_rows(session), out) == 2
    text = out.getvalue()
    assert (
        text.splitlines()[0]
        == "member_number,name,email,status,constituency,organisation,applied_at"
    )
    assert "'=HYPERLINK(evil)" in text
    assert "Plain Name" in text


HEADER = b"name,email,constituency,organisation\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            HEADER + b"Ann,ann@example.org,staff,the-grange\nB\xff\xfeb,b@example.org,staff,x\n",
            "line 3: the file is not UTF-8 text",
        ),
        (
            HEADER + b"Ann,ann@example.org,staff,the-grange\nB\x00b,b@example.org,staff,x\n",
            "line 3: the file holds a NUL character",
        ),
        (
            HEADER + b"Ann,ann@example.org,staff,the-grange\n" + b"A" * 200_000 + b",b@x.org,s,o\n",
            "line 3: the line is longer",
        ),
        (
            HEADER + b'Ann,ann@example.org,staff,the-grange\n"' + b"A" * 2_000 + b'",b@x.org,s,o\n',
            "line 3: name is too long",
        ),
        (HEADER + b"Ann,ann@example.org,staff,the-grange,extra\n", "line 2:"),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused_by_line(content: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        read_csv(decode(content))
    assert raised.value.detail.startswith(message)


def test_the_batches_of_a_long_import_add_everyone_once(database: Database) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    rows = read_csv(
        "name,email,constituency,organisation\n"
        + "".join(f"Member {i},m{i}@example.org,staff,the-grange\n" for i in range(450))
    )
    with database.reading() as session:
        check_rows(session, rows)
    report = ImportReport(0, 0)
    for start in range(0, len(rows), IMPORT_BATCH):
        with database.transaction() as session:
            report += add_rows(
                session, rows[start : start + IMPORT_BATCH], actor_id=None, now=utcnow()
            )
    assert report == ImportReport(450, 0)
    with database.transaction() as session:
        again = add_rows(session, rows, actor_id=None, now=utcnow())
        assert again == ImportReport(0, 450)
        assert count(session) == 450
