"""One module names the subject of a comment or a request: its kind, its names, its page,
and the URL that finds it again, in the reader's scope only."""

import pytest
from django.http import Http404
from django.urls import resolve

from pathways.models import Conclusion
from reviewapp import subjects
from tests.factories import ClaimFactory, ReportFactory


def _subjects(world):
    return {
        "pathway": world.in_scope,
        "claim": world.public_claim,
        "evidence": world.public_evidence,
        "conclusion": Conclusion.objects.get(pathway=world.in_scope),
        "overall": Conclusion.objects.get(report=world.report, pathway=None),
    }


@pytest.mark.parametrize("name", ["pathway", "claim", "evidence", "conclusion", "overall"])
def test_a_subjects_url_finds_the_same_subject_again(world, author, name):
    subject = _subjects(world)[name]
    url = subjects.url("comment_post", world.report.slug, subject)
    match = resolve(url)
    found = subjects.subject_for(author, world.report, match.kwargs["kind"], match.kwargs.get("key"))
    assert (type(found), found.pk) == (type(subject), subject.pk)
    assert subjects.key(found) == f"{subjects.kind_of(subject)}-{subject.pk}"


def test_the_url_of_a_subject_sits_under_the_subjects_own_page(world):
    report = world.report.slug
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    assert subjects.url("comment_post", report, world.public_claim) == (
        f"/reports/{report}/claims/{world.public_claim.slug}/comments/new/"
    )
    assert subjects.url("comment_post", report, conclusion) == (
        f"/reports/{report}/pathways/{world.in_scope.slug}/conclusion/comments/new/"
    )
    assert subjects.url("request_file", report, world.public_evidence) == (
        f"/reports/{report}/evidence/{world.public_evidence.slug}/requests/new/"
    )


def test_names_and_pages_of_each_kind(world):
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    overall = Conclusion.objects.get(report=world.report, pathway=None)
    assert subjects.label(world.public_claim) == f"the claim “{world.public_claim.statement}”"
    assert subjects.label(world.public_evidence) == f"the evidence item “{world.public_evidence.title}”"
    assert subjects.label(conclusion) == f"the conclusion on {world.in_scope.title}"
    assert subjects.title(overall) == "The overall conclusion"
    assert (
        subjects.page_url(world.report.slug, conclusion)
        == f"/reports/{world.report.slug}/pathways/{world.in_scope.slug}/"
    )
    assert subjects.page_url(world.report.slug, overall) == f"/reports/{world.report.slug}/discussion/"


def test_a_subject_out_of_scope_or_of_another_report_is_not_found(world, external_reviewer, author):
    other_claim = ClaimFactory(report=ReportFactory(slug="another"), slug="elsewhere")
    refused = [
        (external_reviewer, "pathways", world.out_of_scope.slug),
        (external_reviewer, "claims", world.internal_claim.slug),
        (external_reviewer, "evidence", world.internal_evidence.slug),
        (external_reviewer, "conclusion", world.out_of_scope.slug),
        (author, "claims", other_claim.slug),
        (author, "claims", "no-such-claim"),
        (author, "reports", world.report.slug),
        (author, "claims", None),
    ]
    for person, kind, key in refused:
        with pytest.raises(Http404):
            subjects.subject_for(person, world.report, kind, key)


def test_a_pathway_is_found_in_the_pages_column_without_a_query(world, author, django_assert_num_queries):
    with django_assert_num_queries(0):
        found = subjects.subject_for(author, world.report, "pathways", world.in_scope.slug, pathways=[world.in_scope])
    assert found is world.in_scope
    with pytest.raises(Http404), django_assert_num_queries(0):
        subjects.subject_for(author, world.report, "pathways", world.out_of_scope.slug, pathways=[world.in_scope])
