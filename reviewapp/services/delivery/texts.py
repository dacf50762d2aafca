"""What a notification says, and its emails: each notification read through its recipient's
scope at this moment, its free text quoted with the spans above their level redacted, and
the wording in plain-text templates.

The templates are in `templates/reviewapp/notifications/`: one a kind in `kinds/<kind>.txt`,
`email.txt` (a notification's email) and `digest.txt` (the daily digest), each with a
`subject` block and a `body` block, rendered with autoescape off (they are plain text).
A template is given strings only, read and redacted here: never a model object, so no
template can reach a field its reader may not see.
"""

from collections.abc import Mapping
from typing import NamedTuple

from django.conf import settings
from django.db.models import Model, QuerySet
from django.template import Context, Engine
from django.template.base import Template
from django.template.loader_tags import BlockNode
from django.urls import reverse

from evidence.selectors import information_requests_visible_to
from pathways.access import access_of, remember_access
from pathways.enums import Role
from pathways.selectors import claims_visible_to, pathways_visible_to
from pathways.text import level_allows, redact
from reviewapp import subjects
from reviewapp.models import Notification
from reviewapp.selectors.comments import comments_visible_to
from reviewapp.selectors.findings import findings_visible_to
from reviewapp.selectors.roadmap import roadmap_visible_to
from reviewapp.selectors.verdicts import verdicts_visible_to

TEMPLATES = "reviewapp/notifications"
EXCERPT_LENGTH = 400
# Who hears of a sign-off decision: everyone holding a role on the report (an external
# reviewer granted only some pathways included), not owning-team members.
SIGN_OFF_AUDIENCE = {Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER}
# What render_for_recipient reads of a notification row: lock and load the rows with these.
RENDERING_RELATED = ("recipient", "report", "actor", "sign_off", "request_message")


class Rendered(NamedTuple):
    """A notification's title (`subject`, an email's subject too) and its body, which is
    read under the title (in the list, the digest and the email) and so says what the title
    does not: the text written, the rationale, the context."""

    subject: str
    body: str
    path: str  # a path on this site; emails prefix SITE_URL


class Mail(NamedTuple):
    """An email's subject and body (or a notification's, from its kind's template)."""

    subject: str
    body: str


# ------------------------------------------------------------------------ templates


def kind_template_name(kind: str) -> str:
    return f"{TEMPLATES}/kinds/{kind}.txt"


def template_blocks(name: str) -> tuple[Template, dict[str, BlockNode]]:
    """A text template and its blocks by name (the loader caches the compiled template)."""
    template = Engine.get_default().get_template(name)
    nodes = template.nodelist.get_nodes_by_type(BlockNode)
    return template, {node.name: node for node in nodes if isinstance(node, BlockNode)}


def render_text(name: str, values: Mapping[str, object]) -> Mail:
    """The `subject` and `body` blocks of a text template, rendered without HTML escaping."""
    template, blocks = template_blocks(name)
    context = Context(dict(values), autoescape=False)
    with context.render_context.push_state(template), context.bind_template(template):
        subject, body = (blocks[part].nodelist.render(context) for part in ("subject", "body"))
    return Mail(subject, body)


def kind_text(kind: str, **values: str) -> Mail:
    """A kind's subject and body from the strings read for it under the recipient's scope."""
    for key, value in values.items():
        if not isinstance(value, str):  # a model object would let a template read past the scope
            raise TypeError(f"{kind} text given {key}={type(value).__name__}: only strings go to a template")
    return render_text(kind_template_name(kind), values)


# ------------------------------------------------------------------------ rendering


def _excerpt(text: str, level: str) -> str:
    text = " ".join(redact(text or "", level).split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def _actor(notification: Notification) -> str:
    return str(notification.actor) if notification.actor_id else "Someone"


def _now_visible[T: Model](visible: QuerySet[T], pk: int, related: tuple[str, ...]) -> T | None:
    """The object a notification is about, read through the recipient's scope (`visible`)
    now, or None when they cannot see it (any more)."""
    return visible.select_related(*related).filter(pk=pk).first()


def _render_request(notification: Notification, recipient) -> Rendered | None:
    assert notification.information_request_id is not None  # render_for_recipient checked it
    information_request = _now_visible(
        information_requests_visible_to(recipient),
        notification.information_request_id,
        ("team", "organisation", "report"),
    )
    if information_request is None:
        return None
    level = recipient.reading_level
    message = notification.request_message  # the answer, follow-up or decline told of, if any
    subject, body = kind_text(
        notification.kind,
        actor=_actor(notification),
        title=information_request.title,
        team=information_request.team.name,
        organisation=information_request.organisation.name,
        due=f"{information_request.due_date:%-d %B %Y}",
        question=_excerpt(information_request.question, level),
        message=_excerpt(message.text if message else "", level),
    )
    path = reverse("request_detail", args=[information_request.report.slug, information_request.pk])
    return Rendered(subject, body, path)


def _conclusion_path(conclusion) -> str:
    """Where a conclusion's verdicts are shown: its pathway's page, or the report's."""
    report_slug = conclusion.report.slug
    if conclusion.pathway_id:
        return reverse("pathway_detail", args=[report_slug, conclusion.pathway.slug])
    return reverse("report_detail", args=[report_slug])


def _render_comment(notification: Notification, recipient) -> Rendered | None:
    assert notification.comment_id is not None  # render_for_recipient checked it
    comment = _now_visible(
        comments_visible_to(recipient),
        notification.comment_id,
        ("report", "pathway", "claim", "evidence", "conclusion__pathway"),
    )
    if comment is None:
        return None
    subject = subjects.of(comment)
    title, path = subjects.label(subject), subjects.page_url(comment.report.slug, subject)
    line, body = kind_text(
        notification.kind,
        actor=_actor(notification),
        title=title,
        text=_excerpt(comment.text, recipient.reading_level),
    )
    return Rendered(line, body, path)


def _render_verdict(notification: Notification, recipient) -> Rendered | None:
    assert notification.verdict_id is not None  # render_for_recipient checked it
    verdict = _now_visible(
        verdicts_visible_to(recipient),
        notification.verdict_id,
        ("organisation", "conclusion__report", "conclusion__pathway"),
    )
    if verdict is None:
        return None
    conclusion = verdict.conclusion
    title, path = subjects.label(conclusion), _conclusion_path(conclusion)
    subject, body = kind_text(
        notification.kind,
        actor=_actor(notification),
        title=title,
        organisation=verdict.organisation.name,
        position=verdict.get_position_display(),
        revision=str(verdict.conclusion_revision),
        rationale=_excerpt(verdict.rationale, recipient.reading_level),
    )
    return Rendered(subject, body, path)


def _render_sign_off(notification: Notification, recipient) -> Rendered | None:
    sign_off = notification.sign_off
    assert sign_off is not None  # render_for_recipient checked sign_off_id
    report = notification.report
    scope = access_of(recipient).on(report)
    if not scope.visible or not scope.roles & SIGN_OFF_AUDIENCE:
        return None
    # The note is read in the app by authors and leadership only (the sign-off pages are
    # theirs): anyone else's template is not given it.
    reads_the_note = scope.may_open_dashboard
    subject, body = kind_text(
        notification.kind,
        report_title=report.title,
        decision=sign_off.get_decision_display(),
        version=sign_off.version_label,
        note=_excerpt(sign_off.note, recipient.reading_level) if reads_the_note else "",
    )
    if reads_the_note:
        path = reverse("signoff_detail", args=[report.slug, sign_off.pk])
    else:
        path = reverse("report_detail", args=[report.slug])
    return Rendered(subject, body, path)


def _render_warning_sign(notification: Notification, recipient) -> Rendered | None:
    """A confirmed sign, as the recipient may read it: the re-opened pathways they see (or,
    for an owning team, the sign's claims they read), and its text only at its level."""
    sign = notification.warning_sign
    assert sign is not None  # render_for_recipient checked warning_sign_id
    report = notification.report
    scope = access_of(recipient).on(report)
    if not scope.visible:
        return None
    reopened = sign.reopenings.values("conclusion__pathway_id")
    pathways = list(pathways_visible_to(recipient).filter(pk__in=reopened).order_by("position", "id"))
    claims = list(claims_visible_to(recipient).filter(warning_signs=sign).order_by("position", "id"))
    if not pathways and not claims:
        return None
    if scope.handles_warning_signs:
        path = reverse("warning_sign_detail", args=[report.slug, sign.pk])
    elif pathways:
        path = reverse("pathway_detail", args=[report.slug, pathways[0].slug])
    else:
        path = reverse("claim_detail", args=[report.slug, claims[0].slug])
    readable = level_allows(recipient.reading_level, sign.sensitivity)
    subject, body = kind_text(
        notification.kind,
        report_title=report.title,
        pathways="; ".join(pathway.title for pathway in pathways),
        several="yes" if len(pathways) > 1 else "",
        claims="; ".join(claim.statement for claim in claims) if not pathways else "",
        title=sign.title if readable else "",
        description=_excerpt(sign.description, recipient.reading_level) if readable else "",
        severity=sign.get_severity_display().lower(),
    )
    return Rendered(subject, body, path)


def _finding_about(finding) -> str:
    if finding.step_id:
        return f"a step of “{finding.step.chain.scenario}”"
    if finding.line_id:
        return f"“{finding.line.title}”"
    return f"“{finding.claim.statement}”"


def _render_finding(notification: Notification, recipient) -> Rendered | None:
    assert notification.finding_id is not None  # render_for_recipient checked it
    finding = _now_visible(
        findings_visible_to(recipient),
        notification.finding_id,
        ("report", "organisation", "claim", "line", "step__chain"),
    )
    if finding is None:
        return None
    level = recipient.reading_level
    subject, body = kind_text(
        notification.kind,
        actor=_actor(notification),
        organisation=finding.organisation.name,
        severity=finding.get_severity_display().lower(),
        finding_kind=finding.get_kind_display().lower(),
        about=redact(_finding_about(finding), level),
        text=_excerpt(finding.text, level),
        recommendation=_excerpt(finding.recommendation, level),
        disposition=finding.get_disposition_display() if finding.disposition else "",
        answer=_excerpt(finding.disposition_text, level),
    )
    return Rendered(subject, body, reverse("finding_detail", args=[finding.report.slug, finding.pk]))


def _render_roadmap(notification: Notification, recipient) -> Rendered | None:
    assert notification.roadmap_item_id is not None  # render_for_recipient checked it
    item = _now_visible(roadmap_visible_to(recipient), notification.roadmap_item_id, ("report", "owner_team"))
    if item is None or item.target_date is None:
        return None
    subject, body = kind_text(
        notification.kind,
        title=item.title,
        team=item.owner_team.name,
        status=item.get_status_display().lower(),
        due=f"{item.target_date:%-d %B %Y}",
        pathways="; ".join(item.pathways.order_by("position").values_list("title", flat=True)),
    )
    return Rendered(subject, body, reverse("roadmap_item", args=[item.report.slug, item.pk]))


def render_for_recipient(notification: Notification) -> Rendered | None:
    """The notification as its recipient may read it now, or None when they cannot see
    what it is about."""
    recipient = notification.recipient
    if not recipient.is_active:
        return None
    remember_access(recipient)  # computed afresh for this run, once for every read below
    if notification.information_request_id:
        rendered = _render_request(notification, recipient)
    elif notification.comment_id:
        rendered = _render_comment(notification, recipient)
    elif notification.verdict_id:
        rendered = _render_verdict(notification, recipient)
    elif notification.sign_off_id:
        rendered = _render_sign_off(notification, recipient)
    elif notification.warning_sign_id:
        rendered = _render_warning_sign(notification, recipient)
    elif notification.finding_id:
        rendered = _render_finding(notification, recipient)
    elif notification.roadmap_item_id:
        rendered = _render_roadmap(notification, recipient)
    else:
        rendered = None
    if rendered is None:
        return None
    # One line, as an email header must be, and as long as the column holds.
    subject = " ".join(rendered.subject.split())
    max_length = Notification._meta.get_field("subject").max_length
    assert max_length is not None  # a CharField's
    if len(subject) > max_length:
        subject = subject[: max_length - 1] + "…"
    return rendered._replace(subject=subject)


# --------------------------------------------------------------------------- emails


def email_text(rendered: Rendered, report_title: str) -> Mail:
    """One notification's email: its text as rendered for the recipient, and the links."""
    return render_text(
        f"{TEMPLATES}/email.txt",
        {"subject": rendered.subject, "body": rendered.body, "path": rendered.path, "report_title": report_title}
        | _links(),
    )


def digest_text(renderings: list[Rendered]) -> Mail:
    """The daily digest of these notifications, each as rendered for the recipient."""
    items = [
        # Under its bullet each body is indented, its blank lines too.
        {"subject": rendered.subject, "path": rendered.path, "body": rendered.body.replace("\n", "\n  ")}
        for rendered in renderings
    ]
    return render_text(f"{TEMPLATES}/digest.txt", {"items": items, "count": len(items)} | _links())


def _links() -> dict[str, str]:
    """What every email ends with: the site, and where one chooses what one is told."""
    return {"site_url": settings.SITE_URL, "settings_path": reverse("notification_settings")}
