"""Information requests changed by two people at once: the second to answer is told and keeps
their text, a stale version is refused, and of two answers racing on the database one wins."""

import pytest
from django.urls import reverse

from evidence.enums import MessageKind
from evidence.services.requests import RequestConflict
from pathways.services import team_member_add
from reviewapp.services.requests import request_answer, request_follow_up
from tests.factories import UserFactory
from tests.reviewapp.matrix.requests import answer, file_request
from tests.reviewapp.requesting import request_in_state, snapshot


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_two_members_answering_at_once_the_second_is_told_and_keeps_their_text(
    client, world, external_reviewer, team_member, htmx
):
    colleague = UserFactory(username="tess")
    team_member_add(team=world.team, user=colleague)
    information_request = file_request(world, external_reviewer)
    loaded_version = information_request.version
    answer(information_request, colleague, text="Tess got there first.")
    before = snapshot(information_request)

    client.force_login(team_member)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        reverse("request_answer", args=["pilot", information_request.pk]),
        {"answer-version": loaded_version, "answer-text": "Tom's careful answer."},
        **headers,
    )
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 409)
    assert "changed while you were writing" in body
    assert "Tom&#x27;s careful answer." in body  # kept in the form
    assert "Tess got there first." in body  # and the answer that won is shown
    assert snapshot(information_request) == before
    information_request.refresh_from_db()
    assert f'name="answer-version" value="{information_request.version}"' in body

    # Sending again, now knowingly, adds to the answer.
    again = client.post(
        reverse("request_answer", args=["pilot", information_request.pk]),
        {"answer-version": information_request.version, "answer-text": "Tom's careful answer."},
    )
    assert again.status_code == 302
    assert information_request.messages.filter(kind=MessageKind.ANSWER).count() == 2


def test_a_stale_version_is_refused_by_the_service(world, external_reviewer, team_member):
    information_request = request_in_state(world, "answered", external_reviewer, team_member)
    with pytest.raises(RequestConflict):
        request_follow_up(
            information_request=information_request,
            author=external_reviewer,
            text="x",
            version=information_request.version - 1,
        )


@pytest.mark.django_db(transaction=True)
def test_two_members_racing_on_the_database_one_answer_wins_and_the_other_is_refused(world, external_reviewer):
    import threading

    from django.db import connection as main_connection
    from django.db import connections

    members = [UserFactory(username=name) for name in ("tom", "tess")]
    for member in members:
        team_member_add(team=world.team, user=member)
    information_request = file_request(world, external_reviewer)
    start = threading.Barrier(2)
    outcomes = {}

    def answer_as(member):
        try:
            start.wait()
            request_answer(
                information_request=information_request,
                answerer=member,
                text=f"{member.username} answers",
                version=1,
            )
            outcomes[member.username] = "sent"
        except RequestConflict:
            outcomes[member.username] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer_as, args=[member]) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    main_connection.ensure_connection()
    assert sorted(outcomes.values()) == ["refused", "sent"]
    information_request.refresh_from_db()
    assert information_request.version == 2
    assert information_request.messages.filter(kind=MessageKind.ANSWER).count() == 1
