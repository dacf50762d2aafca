"""A refused request is logged as one line (who, what, why), not as a traceback, and Django's
own line for it is not written twice."""

import logging

from tests.reviewapp.test_authoring_claims import claim_post, claim_url


def test_a_refusal_is_one_line_naming_who_and_what(client, world, stress_tester, caplog):
    client.force_login(stress_tester)

    with caplog.at_level(logging.INFO):
        response = client.post(claim_url("claim_edit"), claim_post(world))

    assert response.status_code == 403
    refused = [record for record in caplog.records if record.name == "reviewapp.refusals"]
    assert len(refused) == 1
    line = refused[0].getMessage()
    assert line.startswith("refused 403 POST /reports/pilot/claims/egress-monitoring/edit/")
    assert f"for {stress_tester.username}" in line
    assert refused[0].exc_info is None and "\n" not in line
    assert not [record for record in caplog.records if record.name == "django.request"]


def test_a_missing_thing_is_still_a_404_and_not_logged_as_a_refusal(client, world, stress_tester, caplog):
    client.force_login(stress_tester)

    with caplog.at_level(logging.INFO):
        assert client.get(claim_url("claim_edit", "no-such-claim")).status_code == 404

    assert not [record for record in caplog.records if record.name == "reviewapp.refusals"]
