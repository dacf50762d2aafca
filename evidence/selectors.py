"""Scoped reads of evidence.

Rule: an evidence item is visible when its sensitivity is at or below the person's
reading level and either they see its report whole, or it backs a claim they can see
(so a pathway-limited external reviewer sees the evidence of their pathways' claims).
"""

from django.db.models import F, Q, QuerySet

from evidence.models import ClaimEvidence, Evidence
from pathways.enums import Sensitivity
from pathways.selectors import claims_visible_to, whole_report_ids


def evidence_visible_to(user) -> QuerySet[Evidence]:
    if not (user and user.is_authenticated and user.is_active):
        return Evidence.objects.none()
    backing_visible_claims = ClaimEvidence.objects.filter(
        claim__in=claims_visible_to(user), evidence__report=F("claim__report")
    ).values("evidence_id")
    return Evidence.objects.filter(sensitivity__in=Sensitivity.at_or_below(user.reading_level)).filter(
        Q(report_id__in=whole_report_ids(user)) | Q(id__in=backing_visible_claims)
    )


def claim_evidence_visible_to(user) -> QuerySet[ClaimEvidence]:
    """Links between a claim and an evidence item, shown only where the person may read both."""
    return ClaimEvidence.objects.filter(claim__in=claims_visible_to(user), evidence__in=evidence_visible_to(user))
