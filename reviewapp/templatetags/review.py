from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from evidence.enums import Relation
from pathways.enums import RiskLevel, Sensitivity
from pathways.text import render_markdown
from reviewapp.selectors.notifications import BELL_COUNT_LIMIT
from reviewapp.selectors.notifications import unread_notification_count as count_for

register = template.Library()

RELATION_SIGNS = {Relation.SUPPORTS: "+", Relation.UNDERMINES: "−", Relation.CONTEXT: "○"}


@register.filter
def defence_flagged(pathways) -> list:
    """The pathways (of a column read with `defence=True`) with fewer than two independent lines of defence."""
    return [pathway for pathway in pathways if pathway.defence.flagged]


@register.filter
def markdown(text: str, reader_level: str):
    """Safe HTML for a Markdown field as this reader may see it: redaction is applied to
    the text before rendering, so no redacted byte reaches the page."""
    return mark_safe(render_markdown(text or "", reader_level))


@register.simple_tag
def risk_chip(risk_level: str | None):
    level = RiskLevel(risk_level or RiskLevel.NOT_ASSESSED)
    return format_html('<span class="chip risk risk-{}">{}</span>', level.value.replace("_", "-"), level.label)


@register.simple_tag
def relation_badge(relation: str):
    relation = Relation(relation)
    return format_html(
        '<span class="relation relation-{}"><span aria-hidden="true">{}</span> {}</span>',
        relation.value,
        RELATION_SIGNS[relation],
        relation.label.lower(),
    )


@register.simple_tag
def sensitivity_label(sensitivity: str):
    level = Sensitivity(sensitivity)
    return format_html('<span class="sensitivity sensitivity-{}">{}</span>', level.value, level.label.lower())


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int | str:
    """The bell's count: the signed-in person's unread notifications, from the scope of
    `notifications_visible_to` (one query; none for anonymous people, and none on a page
    whose view counted them already as `unread_notifications`), or "99+" beyond 99."""
    if "unread_notifications" in context:
        count = context["unread_notifications"]
    else:
        user = context.get("user")
        if user is None or not user.is_authenticated:
            return 0
        count = count_for(user, limit=BELL_COUNT_LIMIT)
    return f"{BELL_COUNT_LIMIT}+" if count > BELL_COUNT_LIMIT else count
