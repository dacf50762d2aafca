"""Information requests as the review carries them: the domain's writes
(`evidence.services.requests`) with the notifications they cause, written to the outbox in
the same transaction. Views call these, not the domain functions, for every action that
tells somebody: filing tells the owning team, an answer or a decline the requester, a
follow-up the team. Refusals pass through unchanged, and nothing is written then."""

from django.db import transaction

from evidence.models import InformationRequest, RequestMessage
from evidence.services.requests import (
    information_request_answer,
    information_request_decline,
    information_request_file,
    information_request_follow_up,
)
from reviewapp.services.notifications import notify_request_filed, notify_request_message


@transaction.atomic
def request_file(**arguments) -> InformationRequest:
    information_request = information_request_file(**arguments)
    notify_request_filed(information_request)
    return information_request


@transaction.atomic
def request_answer(**arguments) -> RequestMessage:
    message = information_request_answer(**arguments)
    notify_request_message(message)
    return message


@transaction.atomic
def request_follow_up(**arguments) -> RequestMessage:
    message = information_request_follow_up(**arguments)
    notify_request_message(message)
    return message


@transaction.atomic
def request_decline(**arguments) -> RequestMessage:
    message = information_request_decline(**arguments)
    notify_request_message(message)
    return message
