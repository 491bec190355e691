"""A double-clicked "Post comment" against a real multi-worker server stores one comment
(issue 17): the proposal's row is locked, so the copies are checked one after the other."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import func, select

from coopvote.db import Database
from coopvote.forum.models import Comment
from coopvote.settings import Settings
from tests.ballots.test_race import signed_in
from tests.factories import make_member, make_proposal
from tests.live import live_server

COPIES = 6


def test_the_same_comment_sent_at_once_several_times_is_stored_once(
    database: Database, settings: Settings
) -> None:
    with database.transaction() as session:
        author = make_member(session, email="author@example.org")
        proposal_id = make_proposal(session, author).public_id
    with live_server(settings) as url:
        client = signed_in(url, "author@example.org")
        token = client.cookies["csrftoken"]
        start = threading.Barrier(COPIES)

        def post(_: int) -> int:
            start.wait()
            return client.post(
                f"/forum/{proposal_id}/comments",
                data={"_csrf_token": token, "body": "I second this."},
                headers={"referer": f"{url}/forum/{proposal_id}"},
            ).status_code

        try:
            with ThreadPoolExecutor(COPIES) as pool:
                statuses = list(pool.map(post, range(COPIES)))
            again = client.post(
                f"/forum/{proposal_id}/comments",
                data={"_csrf_token": token, "body": "And a second thought."},
            ).status_code
        finally:
            client.close()
    assert set(statuses) == {303}
    assert again == 303
    with database.transaction() as session:
        bodies = session.exec(select(Comment.body).order_by(Comment.id)).all()  # type: ignore[arg-type]
        assert session.exec(select(func.count()).select_from(Comment)).one() == 2
    assert bodies == ["I second this.", "And a second thought."]
