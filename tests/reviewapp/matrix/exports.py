"""Permission-matrix rows of exports, and the helpers that put export jobs and a finished
review (verdicts, a sign-off, requests) in the world (used by the export tests too).

Anyone who sees the report may open its Exports page and start an export at their level;
a job is its requester's alone: everybody else, and every URL naming another report, gets
404, as does the download of a job that is not done.
"""

from django.db.models import F

from evidence.enums import RequestState
from pathways.models import Conclusion
from pathways.services import access_grant
from reviewapp.enums import Position
from reviewapp.models import ExportJob
from reviewapp.services.exports import export_job_run, export_job_start
from reviewapp.services.signoff import signoff_record
from reviewapp.services.verdicts import verdict_record
from tests.conftest import CANARY_INTERNAL_SPAN, CANARY_OUT_OF_SCOPE, REVIEWER_VISIBLE
from tests.factories import ReportFactory
from tests.factories.versions import published
from tests.reviewapp.matrix import HTMX, IN_SCOPE, REPORT_PAGE, SIGNED_IN, Row
from tests.reviewapp.matrix.requests import answer, file_request

CANARY_OVERRIDE_REASON = "CANARY-OVERRIDE-REASON-3e8f"  # internal: only an internal record carries it
CANARY_GOVERNMENT_REQUEST = f"Gov request {CANARY_OUT_OF_SCOPE}"
INTERNAL_CLAIM_REQUEST = "About the internal claim"

START = {"kind": "report", "fmt": "md", "level": "public"}
ONLY_ERIN = {**dict.fromkeys(SIGNED_IN, 404), "external_reviewer": 200, "anonymous": 302}
ONLY_ERIN_HTMX = {**ONLY_ERIN, "anonymous": 200}  # HX-Redirect to the login page
EVERYONE_404 = {**dict.fromkeys(SIGNED_IN, 404), "anonymous": 302}


def start_job(world, requester, *, kind="report", fmt="md", level=None, report=None) -> ExportJob:
    """A queued job (its task runs only when the caller executes on-commit callbacks)."""
    return export_job_start(
        requester=requester,
        report=report or world.report,
        kind=kind,
        fmt=fmt,
        level=level or requester.reading_level,
    )


def done_job(world, requester, **choices) -> ExportJob:
    job = start_job(world, requester, **choices)
    export_job_run(job.pk)
    job.refresh_from_db()
    return job


def conclusion_of(world, pathway=None) -> Conclusion:
    return Conclusion.objects.get(report=world.report, pathway=pathway)


def _verdict(recorder, conclusion, position, rationale):
    conclusion.refresh_from_db()
    return verdict_record(
        conclusion=conclusion, recorder=recorder, position=position, rationale=rationale, revision=conclusion.revision
    )


def review_activity(world, persona):
    """A review near its end: verdicts by both organisations (a dissent and a reservation
    among them, one gone stale), a sign-off over missing verdicts, and requests in and out
    of the external reviewer's scope and level. Internal-only text carries canaries."""
    bob, erin = persona("stress_tester"), persona("external_reviewer")
    tom, lena = persona("team_member"), persona("leadership")
    overall = conclusion_of(world)
    _verdict(
        bob,
        overall,
        Position.DISSENT,
        f"We dissent: [[internal]]{CANARY_INTERNAL_SPAN}[[/internal]] and [[reviewer]]{REVIEWER_VISIBLE}[[/reviewer]].",
    )
    _verdict(bob, conclusion_of(world, world.out_of_scope), Position.CONCUR, f"Fine. {CANARY_OUT_OF_SCOPE}")
    _verdict(bob, conclusion_of(world, world.in_scope), Position.CONCUR, "Holds up.")
    _verdict(erin, conclusion_of(world, world.in_scope), Position.CONCUR_WITH_RESERVATIONS, "Drills are too few.")
    _verdict(erin, conclusion_of(world, world.also_in_scope), Position.ABSTAIN, "Not our expertise.")
    # The authors change the backdoors conclusion: Holdout's abstention on it goes stale.
    Conclusion.objects.filter(pk=conclusion_of(world, world.also_in_scope).pk).update(revision=F("revision") + 1)
    published(world.report)  # a sign-off is of a published version
    signoff = signoff_record(
        report=world.report,
        decider=lena,
        decision="not_approved",
        note=f"Not yet. [[internal]]{CANARY_INTERNAL_SPAN}[[/internal]]",
        override=True,
        override_reason=CANARY_OVERRIDE_REASON,
    )
    erin_request = file_request(world, erin, question="Which **drills** showed it?")
    answer(
        erin_request,
        tom,
        text=f"Alarms fire within a minute. [[internal]]{CANARY_INTERNAL_SPAN}[[/internal]]",
        evidence_items=[world.public_evidence, world.internal_evidence],
    )
    government = file_request(
        world,
        bob,
        subject=world.out_of_scope,
        team=world.other_team,
        title=CANARY_GOVERNMENT_REQUEST,
        question=f"How do governments deploy? {CANARY_OUT_OF_SCOPE}",
    )
    internal_claim = file_request(
        world, bob, subject=world.internal_claim, team=world.other_team, title=INTERNAL_CLAIM_REQUEST
    )
    erin_request.refresh_from_db()
    assert erin_request.state == RequestState.ANSWERED
    return {"signoff": signoff, "erin_request": erin_request, "government": government, "internal": internal_claim}


def _erin_job(world, persona):
    return start_job(world, persona("external_reviewer"))


def _erin_done_job(world, persona):
    return done_job(world, persona("external_reviewer"))


def _job_kwargs(world, job):
    return {"slug": "pilot", "job_id": job.pk}


def _job_on_another_report(world, persona):
    """The author's job on the pilot report, asked for under a report the author also sees."""
    author = persona("author")
    access_grant(report=ReportFactory(slug="second"), user=author, role="author")
    return done_job(world, author)


def _other_report_kwargs(world, job):
    return {"slug": "second", "job_id": job.pk}


ROWS = [
    Row("export_list", REPORT_PAGE, {"slug": "pilot"}),
    Row("export_list", EVERYONE_404, {"slug": "no-such-report"}),
    Row(
        "export_start",
        {**dict.fromkeys(IN_SCOPE, 302), "outsider": 404, "anonymous": 302},
        {"slug": "pilot"},
        method="post",
        data=START,
    ),
    Row(
        "export_start",
        {**dict.fromkeys(IN_SCOPE, 200), "outsider": 404, "anonymous": 200},
        {"slug": "pilot"},
        method="post",
        data=START,
        headers=HTMX,
    ),
    Row("export_detail", ONLY_ERIN, _job_kwargs, setup=_erin_job, label="own-job"),
    Row("export_detail", ONLY_ERIN_HTMX, _job_kwargs, headers=HTMX, setup=_erin_job, label="own-job-status"),
    Row("export_detail", EVERYONE_404, {"slug": "pilot", "job_id": 999999}, label="forged-id"),
    Row("export_detail", EVERYONE_404, _other_report_kwargs, setup=_job_on_another_report, label="other-report"),
    Row("export_download", ONLY_ERIN, _job_kwargs, setup=_erin_done_job, label="done"),
    Row("export_download", EVERYONE_404, _job_kwargs, setup=_erin_job, label="not-done"),
    Row("export_download", EVERYONE_404, _other_report_kwargs, setup=_job_on_another_report, label="other-report"),
]
