"""The demo that `make run` loads: a realistic report and a person for every role."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from evidence.models import Evidence, LineOfDefence
from evidence.selectors import evidence_visible_to
from pathways.models import Claim, Report, Team, User
from pathways.selectors import claims_visible_to, pathways_visible_to, reader_scope, reports_visible_to
from reviewapp.management.commands.load_demo import DEMO_PASSWORD, DEMO_SLUG
from reviewapp.models import Finding
from reviewapp.selectors.findings import findings_visible_to
from reviewapp.selectors.signoff import signoff_state
from versions.models import ReportVersion


@pytest.fixture
def demo(db):
    call_command("load_demo", allow_without_debug=True)
    return Report.objects.get(slug=DEMO_SLUG)


def test_the_demo_is_a_realistic_report(demo):
    assert demo.pathways.count() == 9
    assert Claim.objects.filter(report=demo).count() >= 30
    assert Evidence.objects.filter(report=demo).count() >= 40
    assert Team.objects.count() >= 5
    for level in ["reviewer", "internal"]:
        assert Claim.objects.filter(report=demo, sensitivity=level).exists()
        assert Evidence.objects.filter(report=demo, sensitivity=level).exists()
    assert "[[internal]]" in demo.summary + "".join(demo.pathways.values_list("argument", flat=True))


def test_loading_the_demo_twice_changes_nothing(demo):
    counts = (Report.objects.count(), Claim.objects.count(), User.objects.count(), ReportVersion.objects.count())
    call_command("load_demo", allow_without_debug=True)
    assert (
        Report.objects.count(),
        Claim.objects.count(),
        User.objects.count(),
        ReportVersion.objects.count(),
    ) == counts


def test_the_demo_report_has_the_version_its_reviewers_were_given(demo):
    version = ReportVersion.objects.get(report=demo)
    assert (version.number, version.name, version.published_by.username) == (1, "For external review", "alice")
    assert len(version.document["pathways"]) == 9


def test_every_demo_person_can_log_in_and_sees_what_their_role_should(client, demo):
    for username in ["alice", "bob", "erin", "frank", "lena", "tom", "charlie"]:
        client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk), username
        client.logout()
    people = {person.username: person for person in User.objects.all()}
    internal_claims = Claim.objects.filter(report=demo).count()
    for username in ["alice", "bob", "lena", "tom"]:
        assert claims_visible_to(people[username]).count() == internal_claims
        assert pathways_visible_to(people[username]).count() == 9
    erin, frank = people["erin"], people["frank"]
    assert pathways_visible_to(erin).count() == 9
    assert not claims_visible_to(erin).filter(sensitivity="internal").exists()
    assert not evidence_visible_to(erin).filter(sensitivity="internal").exists()
    assert claims_visible_to(erin).filter(sensitivity="reviewer").exists()
    assert pathways_visible_to(frank).count() == 4
    assert not reader_scope(frank, demo).sees_whole_report
    assert claims_visible_to(frank).count() < claims_visible_to(erin).count()
    assert not reports_visible_to(people["charlie"]).exists()


def test_every_demo_page_renders_for_every_demo_person(client, demo):
    """A smoke walk over the real demo: every link a reader can reach answers 200."""
    for username in ["alice", "erin", "frank"]:
        person = User.objects.get(username=username)
        client.force_login(person)
        urls = [
            f"/reports/{DEMO_SLUG}/",
            f"/reports/{DEMO_SLUG}/claims/",
            f"/reports/{DEMO_SLUG}/load-bearing/",
            f"/reports/{DEMO_SLUG}/evidence/",
            f"/reports/{DEMO_SLUG}/argument/",
        ]
        for slug in pathways_visible_to(person).values_list("slug", flat=True):
            urls += [f"/reports/{DEMO_SLUG}/pathways/{slug}/", f"/reports/{DEMO_SLUG}/pathways/{slug}/argument/"]
        urls += [
            f"/reports/{DEMO_SLUG}/claims/{slug}/" for slug in claims_visible_to(person).values_list("slug", flat=True)
        ]
        urls += [
            f"/reports/{DEMO_SLUG}/evidence/{slug}/"
            for slug in evidence_visible_to(person).values_list("slug", flat=True)
        ]
        for url in urls:
            assert client.get(url).status_code == 200, (username, url)


def test_the_demo_refuses_to_load_without_debug(db):
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("load_demo")
    assert not Report.objects.exists()


def test_the_demo_gives_the_app_requests_to_chase(demo, django_capture_on_commit_callbacks):
    from django.core import mail

    from reviewapp.enums import NotificationKind
    from reviewapp.models import Notification
    from reviewapp.services.delivery import request_reminders

    with django_capture_on_commit_callbacks(execute=True):
        assert request_reminders() == {"due_soon": 1, "overdue": 3}  # tom; then tom, bob and alice
    tom, bob, alice = (User.objects.get(username=name) for name in ("tom", "bob", "alice"))
    assert set(Notification.objects.filter(recipient=tom).values_list("kind", flat=True)) >= {
        NotificationKind.REQUEST_DUE_SOON,
        NotificationKind.REQUEST_OVERDUE,
    }
    for person in (bob, alice):
        assert Notification.objects.filter(recipient=person, kind=NotificationKind.REQUEST_OVERDUE).exists()
    assert any("Overdue since" in message.subject and message.to == [tom.email] for message in mail.outbox)


def test_the_demo_has_lines_of_defence_and_findings_a_newcomer_can_follow(demo):
    assert LineOfDefence.objects.filter(report=demo).values("pathway").distinct().count() == 9
    findings = Finding.objects.filter(report=demo)
    assert findings.count() == 3
    assert findings.filter(disposition="mitigation_planned", visibility="internal").count() == 1
    erin = User.objects.get(username="erin")
    assert findings_visible_to(erin).filter(report=demo).count() == 2  # not Bob's internal one
    lena = User.objects.get(username="lena")
    assert "1 major or critical finding has no disposition from the authors yet." in (
        signoff_state(user=lena, report=demo).blocking_reasons
    )


def _demo_chains(demo, username):
    from evidence.chains import chain_rows, pathway_chains
    from pathways.access import access_of

    access = access_of(User.objects.get(username=username))
    pathways = pathways_visible_to(access).filter(report=demo).annotate(chain_rows=chain_rows(access))
    return {pathway.slug: pathway_chains(pathway.chain_rows) for pathway in pathways.order_by("position")}


def test_every_demo_pathway_has_two_detection_chains_one_of_them_with_a_gap(demo):
    chains = _demo_chains(demo, "alice")  # an author: every step and item

    assert len(chains) == 9
    for slug, found in chains.items():
        assert len(found) == 2, slug
        assert sum(1 for chain in found if chain.flags) == 1, (slug, [(chain.slug, chain.flags) for chain in found])
    flagged = {chain.slug: chain.flags for found in chains.values() for chain in found if chain.flags}
    assert flagged["sandbagging-human-notice"].missing == ["Alert"]
    assert flagged["rogue-monitor-tamper"].slower  # an unpaged channel read next day, against four hours
    assert flagged["gov-sensitive-access"].unevidenced == [2, 3]  # the agency's log, and its office


def test_an_external_reviewer_sees_a_demo_chain_lacking_what_is_above_their_level(demo):
    poisoning = {chain.slug: chain for chain in _demo_chains(demo, "erin")["data-poisoning"]}

    assert [step.role for step in poisoning["poisoning-provenance"].steps] == ["alert", "response", "action"]
    assert poisoning["poisoning-provenance"].flags.missing == ["Signal", "Detection"]
    assert not poisoning["poisoning-synthetic-data"].flags.missing


def test_the_demo_roadmap_has_a_mitigation_to_chase_and_stays_internal(
    client, demo, django_capture_on_commit_callbacks
):
    from reviewapp.enums import NotificationKind
    from reviewapp.models import Notification, RoadmapItem
    from reviewapp.services.delivery import roadmap_reminders

    items = RoadmapItem.objects.filter(report=demo)
    assert sorted(items.values_list("status", flat=True)) == ["in_progress", "planned", "proposed"]
    late = items.get(status="in_progress")
    assert late.source_label.startswith("Weak line of defence")
    with django_capture_on_commit_callbacks(execute=True):
        assert roadmap_reminders() == {"roadmap_due_soon": 0, "roadmap_overdue": 1}
    told = set(
        Notification.objects.filter(kind=NotificationKind.ROADMAP_OVERDUE).values_list("recipient__username", flat=True)
    )
    assert "alice" in told and not told & {"erin", "frank"}

    client.force_login(User.objects.get(username="alice"))
    page = client.get(f"/reports/{DEMO_SLUG}/roadmap/").content.decode()
    assert late.title in page and "overdue" in page
    for item in items:
        assert client.get(f"/reports/{DEMO_SLUG}/roadmap/{item.pk}/").status_code == 200
    client.force_login(User.objects.get(username="erin"))
    assert client.get(f"/reports/{DEMO_SLUG}/roadmap/").status_code == 404
    assert client.get(f"/reports/{DEMO_SLUG}/roadmap/{late.pk}/").status_code == 404
    assert "roadmap" not in client.get(f"/reports/{DEMO_SLUG}/").content.decode().lower()
