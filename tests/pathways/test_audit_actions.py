"""The audit log's actions are a fixed list, which its filter offers whatever the log holds."""

import pytest

from pathways.audit import ACTIONS, log_action
from pathways.models import AuditEntry


def test_an_action_outside_the_list_is_refused_and_nothing_is_written(world, author):
    with pytest.raises(ValueError, match="not one of the audit log's actions"):
        log_action(report=world.report, actor=author, action="pathways.claim.renamed")
    assert not AuditEntry.objects.filter(action="pathways.claim.renamed").exists()


def test_every_action_is_namespaced_by_app_and_kind_of_thing():
    assert len(set(ACTIONS)) == len(ACTIONS)
    for action in ACTIONS:
        app, thing, verb = action.split(".")
        assert app in {"pathways", "evidence", "versions", "monitoring", "reviewapp"} and thing and verb
