"""On a phone (390 × 844) every page shape a reader can open fits the screen: no page-level
sideways scroll; report pages start with their title (the pathway navigation folds into a
"Pathways and report pages" control above it and stays a "Pathways" navigation landmark);
the inbox and the sign-off dashboard show each row's key content on screen, unscrolled.
On a wide screen the pathway column stays where it was, beside the page.

The world is the demo that `make run` loads, with review activity added through the app's
services: verdicts, a comment, an answered request with a long title, notifications, an
edit, a sign-off and a finished export."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from monitoring.services import SignFields, warning_sign_report
from pathways.models import AuditEntry, Claim, Conclusion, Report, User
from pathways.services import claim_update
from reviewapp.enums import Position
from reviewapp.management.commands.load_demo import DEMO_PASSWORD, DEMO_SLUG
from reviewapp.models import ExportJob, SignOff
from reviewapp.services.comments import comment_post
from reviewapp.services.exports import export_job_run, export_job_start
from reviewapp.services.requests import request_answer, request_file
from reviewapp.services.signoff import signoff_record
from reviewapp.services.verdicts import verdict_record
from tests.factories.versions import published
from versions.services import version_publish

PHONE = {"width": 390, "height": 844}
# px from the top of the page: under the top bar and the reading-as banner (who reads, at which level,
# how many pathways, which version), with no navigation above the title (that took 430–700 px).
TITLE_WITHIN = 280
LONG_TITLE = "How quickly are outbound transfers above the alert threshold flagged, and who reviews each flag?"
LONG_COMMENT = (
    "The drill log at https://example.org/security/drills/2026/egress-monitoring-red-team-exercise-results "
    "shows the alarm firing late twice; was the threshold changed after March?"
)

# What overflows the page, for the failure message: elements reaching past the right edge
# that are not inside something that scrolls sideways by itself.
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && !scrolls(el))
    .slice(0, 6)
    .map((el) => {
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} right=${right}`;
    });
}"""


@pytest.fixture
def demo(transactional_db):
    """The demo report, its people, and some of everything a review produces."""
    call_command("load_demo", allow_without_debug=True, stdout=io.StringIO())
    report = Report.objects.get(slug=DEMO_SLUG)
    people = {person.username: person for person in User.objects.all()}
    conclusions = list(Conclusion.objects.filter(report=report, pathway__isnull=False).order_by("pathway__position"))
    positions = [Position.CONCUR, Position.DISSENT, Position.CONCUR_WITH_RESERVATIONS, Position.ABSTAIN]
    for index, conclusion in enumerate(conclusions[:5]):
        for offset, reviewer in enumerate(["bob", "erin"]):
            verdict_record(
                conclusion=conclusion,
                recorder=people[reviewer],
                position=positions[(index + offset) % len(positions)],
                rationale="The drills cover the large transfers, not the slow ones spread over weeks.",
                revision=conclusion.revision,
            )
    claim = Claim.objects.filter(report=report, owner_team__slug="security", sensitivity="public").first()
    filed = request_file(
        report=report,
        requester=people["erin"],
        subject=claim,
        team=claim.owner_team,
        title=LONG_TITLE,
        question="Please share the **drill** timings and who signs off a change to the threshold.",
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        priority="high",
    )
    filed.refresh_from_db()
    request_answer(
        information_request=filed,
        answerer=people["tom"],
        text="Within 40 seconds in every drill; the threshold is reviewed monthly by the Security lead.",
        evidence_items=(),
        version=filed.version,
    )
    comment_post(author=people["erin"], subject=claim, text=LONG_COMMENT)
    claim_update(claim=claim, editor=people["alice"], version=claim.version, rationale=claim.rationale + " Revised.")
    published(report)  # a sign-off is of a published version
    signoff_record(
        report=report,
        decider=people["lena"],
        decision="not_approved",
        note="Not yet: two pathways are still missing verdicts.",
        override=True,
        override_reason="Recorded to show the state of the review at the midpoint.",
    )
    job = export_job_start(requester=people["erin"], report=report, kind="review_record", fmt="md", level="reviewer")
    job.refresh_from_db()
    if job.state != "done":
        export_job_run(job.pk)
    return report


def _urls(report):
    slug = report.slug
    claim = Claim.objects.filter(report=report, owner_team__slug="security", sensitivity="public").first()
    pathway = claim.pathways.order_by("position").first()
    evidence = report.evidence_items.filter(sensitivity="public").order_by("id").first()
    filed = report.information_requests.get(title=LONG_TITLE)
    conclusion = Conclusion.objects.get(report=report, pathway=pathway)
    job = ExportJob.objects.get(report=report, requester__username="erin")
    entry = AuditEntry.objects.filter(report=report, action="pathways.claim.changed").first() or (
        AuditEntry.objects.filter(report=report).first()
    )
    signoff = SignOff.objects.get(report=report)
    version = version_publish(report=report, author=User.objects.get(username="alice"), name="Phone check")
    n = version.number
    fields = SignFields(
        title="Unusual requests for cluster credentials from the deployed model",
        description=LONG_COMMENT,
        severity="medium",
        observed_at=timezone.now(),
        claims=(claim.slug,),
    )
    sign, _ = warning_sign_report(report=report, fields=fields, reported_by=User.objects.get(username="alice"))
    r = f"/reports/{slug}"
    reader = [
        "/",
        f"{r}/",
        f"{r}/pathways/{pathway.slug}/",
        f"{r}/claims/",
        f"{r}/claims/{claim.slug}/",
        f"{r}/load-bearing/",
        f"{r}/evidence/",
        f"{r}/evidence/{evidence.slug}/",
        f"{r}/requests/",
        f"{r}/requests/{filed.pk}/",
        f"{r}/discussion/",
        f"{r}/conclusions/{conclusion.pk}/verdicts/",
        "/inbox/",
        "/notifications/",
        "/notifications/settings/",
        f"{r}/exports/",
        f"{r}/exports/{job.pk}/",
        f"/search/?q=drill&report={slug}",
        "/search/?q=drill+exfiltration&kind=claim",
        f"{r}/versions/",
        f"{r}/versions/{n}/",
        f"{r}/versions/{n}/pathways/{pathway.slug}/",
        f"{r}/versions/{n}/changes/",
        f"{r}/timeline/",
        f"{r}/across-models/",
    ]
    return {
        "erin": reader,
        "frank": [f"{r}/", f"{r}/pathways/{pathway.slug}/"],
        "tom": ["/inbox/", "/notifications/", f"{r}/requests/{filed.pk}/"],
        "lena": [f"{r}/dashboard/", f"{r}/sign-offs/{signoff.pk}/", "/inbox/"],
        "alice": [
            f"{r}/audit/",
            f"{r}/audit/{entry.pk}/",
            f"{r}/claims/{claim.slug}/history/",
            f"{r}/claims/{claim.slug}/edit/",
            f"{r}/evidence/{evidence.slug}/history/",
            f"{r}/pathways/{pathway.slug}/conclusion/edit/",
            f"{r}/warning-signs/",
            f"{r}/warning-signs/{sign.pk}/",
            f"{r}/next/",
        ],
    }


def _sign_in_as(page, login, username):
    page.context.clear_cookies()
    login(username, password=DEMO_PASSWORD)


def _within_the_screen(locator, width):
    box = locator.bounding_box()
    return box is not None and box["x"] >= -0.5 and box["x"] + box["width"] <= width + 0.5


def _page_problems(page, url):
    problems = []
    scroll_width, client_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    if scroll_width > min(client_width, inner_width):
        problems.append(f"{url}: scrolls sideways ({scroll_width} > {client_width}): {page.evaluate(OVERFLOWING)}")
    if url.startswith("/reports/"):
        if page.get_by_role("navigation", name="Pathways").count() != 1:
            problems.append(f"{url}: no navigation landmark named Pathways")
        title = page.locator("main h1").first.bounding_box()
        if title is None or title["y"] >= TITLE_WITHIN:
            problems.append(f"{url}: the title starts at {title and round(title['y'])} px, not within {TITLE_WITHIN}")
    return problems


def _row_problems(page, url, rows, key_parts):
    """Each row's key parts are on screen without scrolling anything sideways."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    problems = []
    for index in range(rows.count()):
        row = rows.nth(index)
        for name, part in key_parts(row):
            if not part.is_visible() or not _within_the_screen(part, width):
                problems.append(f"{url}: row {index + 1}: its {name} is not on screen ({part.bounding_box()})")
    return problems


def _inbox_parts(row):
    cells = row.locator("td")
    return [
        ("request title", row.locator("th a").first),
        ("state", row.locator(".chip").first),
        ("due date", cells.nth(cells.count() - 1)),
    ]


def _matrix_parts(row):
    parts = [("conclusion", row.locator("th a").first)]
    cells = row.locator("td")
    for index in range(1, cells.count()):  # after the risk: one cell per organisation
        parts.append((f"verdict {index}", cells.nth(index).locator("> *").first))
    return parts


def test_every_page_shape_fits_a_phone_screen(page, live_server, login, demo):
    page.set_viewport_size(PHONE)
    problems = []
    for username, urls in _urls(demo).items():
        _sign_in_as(page, login, username)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, (username, url, response.status)
            problems += _page_problems(page, url)
            if url == "/inbox/":
                rows = page.locator("main table tbody tr")
                assert rows.count() > 0, (username, "an empty inbox proves nothing")
                problems += _row_problems(page, f"{url} ({username})", rows, _inbox_parts)
            if url.endswith("/dashboard/"):
                rows = page.locator("main table.verdict-matrix tbody tr")
                assert rows.count() == 10  # nine pathways and the overall conclusion
                problems += _row_problems(page, url, rows, _matrix_parts)
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_pathways_open_from_a_small_control_above_the_title(page, live_server, login, demo):
    page.set_viewport_size(PHONE)
    _sign_in_as(page, login, "erin")
    page.goto(f"{live_server.url}/reports/{DEMO_SLUG}/claims/")
    nav = page.get_by_role("navigation", name="Pathways")
    toggle = nav.get_by_role("button", name="Pathways and report pages")
    expect(toggle).to_be_visible()
    assert toggle.bounding_box()["y"] < page.locator("main h1").bounding_box()["y"]
    assert nav.bounding_box()["height"] < 80
    expect(nav.get_by_role("link", name="Self-exfiltration")).to_be_hidden()

    toggle.click()
    link = nav.get_by_role("link", name="Self-exfiltration")
    expect(link).to_be_visible()
    expect(nav.get_by_role("link", name="Load-bearing claims")).to_be_visible()
    assert _within_the_screen(link, PHONE["width"])
    page.keyboard.press("Escape")
    expect(link).to_be_hidden()

    toggle.click()
    nav.get_by_role("link", name="Self-exfiltration").click()
    page.wait_for_url(f"**/reports/{DEMO_SLUG}/pathways/self-exfiltration/")
    expect(page.locator("main h1")).to_contain_text("Self-exfiltration")


def test_on_a_wide_screen_the_pathway_column_stays_beside_the_page(page, live_server, login, world, author):
    page.set_viewport_size({"width": 1280, "height": 900})
    login("alice")
    page.goto(f"{live_server.url}/reports/pilot/claims/")
    nav = page.get_by_role("navigation", name="Pathways")
    expect(nav.get_by_role("button", name="Pathways and report pages")).to_be_hidden()
    expect(nav.get_by_role("link", name="Self-exfiltration")).to_be_visible()
    expect(nav.get_by_role("link", name="All claims")).to_be_visible()
    column, title = nav.bounding_box(), page.locator("main h1").bounding_box()
    assert column["x"] + column["width"] <= title["x"]  # the column is to the left of the page
    assert abs(column["y"] - title["y"]) < 60  # and beside it, not above it
    header_cells = page.locator("main table thead th")
    expect(header_cells.first).to_be_visible()  # a real table with its header row
