"""Independence of a pathway's lines of defence: lines sharing a claim, an evidence item or
a team depend on each other; a pathway is flagged with fewer than two independent lines."""

import pytest

from evidence.defence import EXACT_UP_TO, Basis, independence
from evidence.lines import defence_rows, pathway_defence
from pathways.access import access_of
from pathways.models import Report
from pathways.selectors import pathways_visible_to
from tests.evidence.importing import import_report
from tests.evidence.test_export_report import DEMO
from tests.factories import author_of


def line(line_id, team, claims=(), evidence=()):
    return Basis(line_id=line_id, team_id=team, claim_ids=frozenset(claims), evidence_ids=frozenset(evidence))


def test_lines_with_nothing_in_common_are_independent():
    found = independence([line(1, "a", [10]), line(2, "b", [11], [20]), line(3, "c", evidence=[21])])

    assert found.independent == 3 and not found.flagged
    assert all(not others for others in found.dependencies.values())


@pytest.mark.parametrize(
    "other, shared_claims, shared_evidence, team",
    [
        pytest.param(line(2, "b", [10]), {10}, set(), False, id="a-claim"),
        pytest.param(line(2, "b", evidence=[20]), set(), {20}, False, id="an-evidence-item"),
        pytest.param(line(2, "a"), set(), set(), True, id="a-team"),
    ],
)
def test_two_lines_sharing_anything_depend_on_each_other_and_the_pathway_is_flagged(
    other, shared_claims, shared_evidence, team
):
    found = independence([line(1, "a", [10], [20]), other])

    common = found.dependencies[1][2]
    assert (set(common.claim_ids), set(common.evidence_ids), common.team) == (shared_claims, shared_evidence, team)
    assert found.dependencies[2][1] == common
    assert found.independent == 1 and found.flagged


def test_no_lines_and_one_line_are_flagged():
    assert independence([]).flagged
    assert independence([line(1, "a", [10])]).flagged


def test_the_count_is_the_largest_set_of_mutually_independent_lines():
    # 1 depends on 2 and 3; 2, 3 and 4 share nothing: three are independent, not two.
    lines = [line(1, "a", [10, 11]), line(2, "b", [10]), line(3, "c", [11]), line(4, "d", [12])]

    assert independence(lines).independent == 3


def test_a_pathway_with_many_lines_is_counted_too():
    # Pairs that share a team: half of them can be independent.
    lines = [line(n, f"team-{n // 2}", [n]) for n in range(EXACT_UP_TO + 4)]

    found = independence(lines)
    assert (found.independent, found.exact) == ((EXACT_UP_TO + 4) // 2, False)
    assert independence(lines[:EXACT_UP_TO]).exact


def test_the_demo_report_flags_the_leaks_pathway_whose_two_lines_read_the_same_usage_data(db):
    import_report(DEMO)
    report = Report.objects.get(slug="pilot-sabotage-2026")
    access = access_of(author_of(report))
    pathways = pathways_visible_to(access).filter(report=report).annotate(defence_rows=defence_rows(access))

    found = {pathway.slug: pathway_defence(pathway.defence_rows) for pathway in pathways}

    assert [slug for slug, defence in found.items() if defence.flagged] == ["leaks"]
    leaks = {view.line.slug: view for view in found["leaks"].lines}
    assert leaks["leak-monitoring-line"].depends_on[0][1] == "evidence internal-usage-data"
    backdoors = {view.line.slug: view for view in found["code-backdoors"].lines}
    assert (
        backdoors["file-permissions-line"].depends_on[0][1] == "claim file-permissions; the Security Engineering team"
    )
    assert found["code-backdoors"].independence.independent == 2
    assert found["self-exfiltration"].independence.independent == 3
