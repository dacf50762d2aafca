"""Detection chains on the pages: a pathway's chains drawn step by step with what each
lacks, the report page counting the chains with a gap, requests and findings about a step;
each reader sees only the chains, steps and evidence in their scope (to a reader below an
internal step's level, the chain lacks that step), and the pages keep their query counts."""

import pytest
from django.urls import reverse

from evidence.enums import StepRole
from evidence.models import DetectionChain, InformationRequest
from pathways.enums import Sensitivity
from reviewapp.models import Finding
from reviewapp.review_record import review_record_export
from tests.conftest import CANARY_INTERNAL_CHAIN, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_STEP, CANARY_OUT_OF_SCOPE
from tests.factories import ChainStepFactory, DetectionChainFactory
from tests.helpers import body, page_queries


def pathway_url(world, pathway=None) -> str:
    return reverse("pathway_detail", args=[world.report.slug, (pathway or world.in_scope).slug])


def chains_section(html: str) -> str:
    start = html.index('id="detection-chains"')
    return html[start : html.index("</section>", start)]


def chain_article(html: str, slug: str) -> str:
    start = html.index(f'id="chain-{slug}"')
    return html[start : html.index("</article>", start)]


def test_the_author_sees_every_step_of_a_complete_chain(client, world, author):
    client.force_login(author)

    chain = chain_article(chains_section(body(client, pathway_url(world))), "weights-bucket")

    assert "The harm cannot be undone after 2h. The steps below take 45m in all." in chain
    assert "complete</span> Every step is there" in chain
    assert [chain.count(f"{number}. {role}") for number, role in enumerate(StepRole.labels, start=1)] == [1] * 5
    assert CANARY_INTERNAL_STEP in chain
    assert "Security · an automated monitor" in chain
    assert "Security · paged · 30m" in chain
    assert f'href="/reports/pilot/evidence/{world.internal_evidence.slug}/"' in chain


def test_the_author_sees_the_internal_chain_flagged_for_its_missing_steps(client, world, author):
    client.force_login(author)

    chain = chain_article(chains_section(body(client, pathway_url(world))), "internal-chain")

    assert CANARY_INTERNAL_CHAIN in chain
    assert "missing step</span> No detection, alert, response, action steps." in chain
    assert "without evidence</span> Step 1 cites no evidence." in chain
    assert "No time is stated after which the harm cannot be undone." not in chain  # the factory's 4h is stated


def test_an_external_reviewer_sees_the_chain_without_its_internal_step_and_flagged_for_it(
    client, world, external_reviewer
):
    client.force_login(external_reviewer)

    html = body(client, pathway_url(world))
    chains = chains_section(html)

    assert "internal-chain" not in chains
    chain = chain_article(chains, "weights-bucket")
    assert "missing step</span> No alert step." in chain
    assert "without evidence</span> Step 2 cites no evidence." in chain  # its evidence is internal
    assert "4. Action" in chain and "5." not in chain  # numbered among the steps they see, no gap
    for secret in (
        CANARY_INTERNAL_STEP,
        CANARY_INTERNAL_CHAIN,
        CANARY_INTERNAL_EVIDENCE,
        f"step-{world.internal_step.pk}",
    ):
        assert secret not in html


def test_a_pathway_out_of_scope_shows_nothing_of_its_chains(client, world, external_reviewer):
    client.force_login(external_reviewer)

    assert client.get(pathway_url(world, world.out_of_scope)).status_code == 404
    report = body(client, reverse("report_detail", args=[world.report.slug]))
    assert CANARY_OUT_OF_SCOPE not in report and "Government misuse" not in report


def test_the_report_page_counts_each_pathway_s_chains_and_those_with_a_gap(client, world, author, external_reviewer):
    url = reverse("report_detail", args=[world.report.slug])

    client.force_login(author)
    author_row = _row(body(client, url), world.in_scope.title)
    client.force_login(external_reviewer)
    external_row = _row(body(client, url), world.in_scope.title)

    assert '<td data-label="Detection chains">2 <a class="flag flag-warning"' in author_row
    assert "1 with a gap" in author_row  # the internal chain
    assert '<td data-label="Detection chains">1 <a class="flag flag-warning"' in external_row
    assert "1 with a gap" in external_row  # the public chain, without the alert they cannot see


def _row(html: str, title: str) -> str:
    start = html.index(title, html.index('aria-label="Pathways table"'))
    return html[start : html.index("</tr>", start)]


def test_a_pathway_without_chains_says_so_and_tells_authors_how_to_add_them(client, world, author, external_reviewer):
    client.force_login(author)
    assert "import it with <code>manage.py import_report FILE --update</code>" in chains_section(
        body(client, pathway_url(world, world.also_in_scope))
    )
    client.force_login(external_reviewer)
    section = chains_section(body(client, pathway_url(world, world.also_in_scope)))
    assert "No detection chains you can see" in section and "import_report" not in section


@pytest.mark.parametrize("persona, expected", [("author", 9), ("external_reviewer", 10), ("team_member", 9)])
def test_chains_cost_the_pathway_page_no_query_whatever_their_number(client, world, persona, expected, request):
    client.force_login(request.getfixturevalue(persona))
    before = len(page_queries(client, pathway_url(world)))
    for _ in range(3):
        chain = DetectionChainFactory(pathway=world.in_scope, sensitivity=Sensitivity.PUBLIC)
        for role in StepRole.values:
            ChainStepFactory(chain=chain, role=role, owner_team=world.team, evidence=[world.public_evidence])

    after = page_queries(client, pathway_url(world))

    assert DetectionChain.objects.filter(pathway=world.in_scope).count() == 5
    assert before == len(after) == expected
    assert max(len(sql) for sql in after) < 8 * 1024


def test_a_reviewer_files_a_request_about_a_step_and_its_team_reads_it(client, world, stress_tester, team_member):
    client.force_login(stress_tester)
    url = reverse("request_file_step", args=["pilot", "weights-bucket", world.response_step.pk])
    page = body(client, url)
    assert "the response step “Security on-call” of the detection chain" in page

    response = client.post(
        url,
        {
            "request-title": "How fast is the rota?",
            "request-question": "Show the paging drill results.",
            "request-team": "security",
            "request-priority": "normal",
            "request-due_date": "2030-01-10",
        },
    )

    filed = InformationRequest.objects.get(title="How fast is the rota?")
    assert response.status_code == 302 and filed.chain_step == world.response_step
    client.force_login(team_member)
    detail = body(client, reverse("request_detail", args=["pilot", filed.pk]))
    assert "Chain step:" in detail and f"#step-{world.response_step.pk}" in detail


def test_a_request_form_for_a_step_refuses_a_team_it_cannot_go_to(client, world, stress_tester):
    client.force_login(stress_tester)
    url = reverse("request_file_step", args=["pilot", "weights-bucket", world.response_step.pk])

    response = client.post(
        url,
        {
            "request-title": "Wrong team",
            "request-question": "?",
            "request-team": "alignment",
            "request-priority": "normal",
            "request-due_date": "2030-01-10",
        },
    )

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not InformationRequest.objects.filter(title="Wrong team").exists()


def test_an_external_reviewer_raises_a_finding_on_a_step_and_the_record_lists_it(
    client, world, external_reviewer, author
):
    client.force_login(external_reviewer)
    url = reverse("finding_on_step", args=["pilot", "weights-bucket", world.response_step.pk])
    data = {"kind": "not_considered", "severity": "critical", "text": "Paging fails at night.", "recommendation": ""}

    response = client.post(url, data)

    finding = Finding.objects.get(text="Paging fails at night.")
    assert response.status_code == 302 and finding.step == world.response_step
    detail = body(client, reverse("finding_detail", args=["pilot", finding.pk]))
    assert "the response step “Security on-call” of detection chain" in detail
    record = review_record_export(report=world.report, level="reviewer", fmt="md", reader=author).content
    assert "the response step “Security on-call” of detection chain “The model copies its weights out”" in record


def test_a_finding_on_a_step_above_the_reader_is_neither_shown_nor_counted(
    client, world, stress_tester, external_reviewer
):
    from reviewapp.services.findings import finding_raise

    finding_raise(
        raiser=stress_tester, subject=world.internal_step, kind="claim_false", severity="major", text="Shared text."
    )
    client.force_login(external_reviewer)

    findings = body(client, reverse("finding_list", args=["pilot"]))

    assert "Shared text." not in findings and CANARY_INTERNAL_STEP not in findings
    finding = Finding.objects.get(text="Shared text.")
    assert client.get(reverse("finding_detail", args=["pilot", finding.pk])).status_code == 404
