"""The search documents of evidence items and information requests (see `pathways.search`).

A request's text is its title, its question and the rest of its thread (answers,
follow-ups, a decline's reason, a closing note): its documents are written again by every
service that adds to the thread.
"""

from django.apps import apps as global_apps
from django.db.models import Prefetch

from evidence.enums import MessageKind
from pathways.search import Searchable, documents_rebuild, documents_write, paragraphs

EVIDENCE = Searchable(
    "evidence.Evidence",
    "evidence.EvidenceSearchDocument",
    "evidence",
    ("title", "summary", "source", "sensitivity"),
    title=lambda evidence: evidence.title,
    body=lambda evidence: paragraphs(evidence.summary, evidence.source),
    lowest_level=lambda evidence: evidence.sensitivity,
)


def _thread_text(information_request) -> str:
    replies = [message.text for message in information_request.thread if message.kind != MessageKind.QUESTION]
    return paragraphs(information_request.question, *replies)


INFORMATION_REQUESTS = Searchable(
    "evidence.InformationRequest",
    "evidence.EvidenceSearchDocument",
    "information_request",
    ("title", "question"),
    title=lambda information_request: information_request.title,
    body=_thread_text,
)


def _with_thread(queryset, apps=global_apps):
    messages = apps.get_model("evidence.RequestMessage")._default_manager.order_by("created_at", "id")
    thread = Prefetch("messages", queryset=messages.only("request_id", "kind", "text"), to_attr="thread")
    return queryset.prefetch_related(thread)


def search_index_evidence(evidence) -> None:
    documents_write(EVIDENCE, [evidence])


def search_index_information_request(information_request) -> None:
    """Write the request's documents from its thread as saved now (one query to read it)."""
    requests = type(information_request)._default_manager.filter(pk=information_request.pk)
    documents_write(INFORMATION_REQUESTS, _with_thread(requests))


def search_index_evidence_and_requests(*, report_ids=None, apps=global_apps) -> int:
    """The documents of the evidence items and requests (of `report_ids`, or all)."""
    return documents_rebuild(EVIDENCE, report_ids=report_ids, apps=apps) + documents_rebuild(
        INFORMATION_REQUESTS, report_ids=report_ids, apps=apps, prepare=lambda queryset: _with_thread(queryset, apps)
    )
