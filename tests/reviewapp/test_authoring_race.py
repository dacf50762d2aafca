"""Two people save the same claim at the same moment, on the real database: each in its own
thread and transaction, both inside the service before either commits. Exactly one save wins;
the other gets EditConflict; nothing is overwritten and the version goes up once."""

import threading

import pytest
from django.db import connection

import evidence.services.editing
import pathways.services
from evidence.services.editing import claim_update_with_evidence
from pathways.models import AuditEntry, Claim
from pathways.services import EditConflict, access_grant, claim_update
from tests.factories import UserFactory

SERVICES = {
    "claim_update": (claim_update, pathways.services),
    "claim_update_with_evidence": (claim_update_with_evidence, evidence.services.editing),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service_name", list(SERVICES))
def test_two_threads_saving_the_same_version_one_wins_and_the_other_gets_a_conflict(
    world, author, monkeypatch, service_name
):
    service, module = SERVICES[service_name]
    second_author = UserFactory(username="alina")
    access_grant(report=world.report, user=second_author, role="author")
    claim = world.public_claim
    barrier = threading.Barrier(2, timeout=10)
    original_lock = pathways.services.claim_lock

    def lock_after_both_arrive(**kwargs):
        # Both threads are inside the service's transaction here, neither has the row yet.
        barrier.wait()
        return original_lock(**kwargs)

    monkeypatch.setattr(module, "claim_lock", lock_after_both_arrive)
    outcomes = {}

    def save(editor, statement):
        try:
            saved = service(claim=Claim.objects.get(pk=claim.pk), editor=editor, version=1, statement=statement)
            outcomes[statement] = ("saved", saved.version)
        except EditConflict as conflict:
            outcomes[statement] = ("conflict", conflict.current.statement)
        except Exception as error:  # noqa: BLE001 - reported below, not swallowed
            outcomes[statement] = ("error", repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(author, "Alice's statement.")),
        threading.Thread(target=save, args=(second_author, "Alina's statement.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    kinds = sorted(kind for kind, _ in outcomes.values())
    assert kinds == ["conflict", "saved"], outcomes
    winner = next(statement for statement, (kind, _) in outcomes.items() if kind == "saved")
    loser = next(statement for statement, (kind, _) in outcomes.items() if kind == "conflict")
    assert outcomes[loser][1] == winner  # the conflict carries the winner's saved text
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == (winner, 2)
    assert AuditEntry.objects.filter(action="pathways.claim.changed").count() == 1
