"""A factory for every model, one module per app (`tests.factories.pathways`, `.evidence`,
`.reviewapp`), all importable from here. Content rows (reports, pathways, claims, evidence and
their links) are plain model factories, as the report file's import writes them; every row a
person's action makes is made through the service that action calls (`ServiceFactory`), with
its audit entry and notifications. Grants go through the access services (author_of, …)."""

from tests.factories.evidence import (
    ChainStepFactory,
    ClaimEvidenceFactory,
    DetectionChainFactory,
    EvidenceFactory,
    InformationRequestFactory,
    LineOfDefenceFactory,
    RequestMessageFactory,
)
from tests.factories.pathways import (
    AuditEntryFactory,
    ClaimFactory,
    ConclusionFactory,
    PathwayClaimFactory,
    PathwayFactory,
    ReportFactory,
    ReviewerOrganisationFactory,
    TeamFactory,
    UserFactory,
    author_of,
    leader_of,
    member_of,
    reviewer_of,
)
from tests.factories.reviewapp import (
    CommentFactory,
    ExportJobFactory,
    FindingFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    RoadmapItemFactory,
    SignOffFactory,
    VerdictFactory,
)
from tests.factories.versions import ReportVersionFactory, published

__all__ = [
    "AuditEntryFactory",
    "ChainStepFactory",
    "ClaimEvidenceFactory",
    "ClaimFactory",
    "CommentFactory",
    "ConclusionFactory",
    "DetectionChainFactory",
    "EvidenceFactory",
    "ExportJobFactory",
    "FindingFactory",
    "InformationRequestFactory",
    "LineOfDefenceFactory",
    "NotificationFactory",
    "NotificationPreferenceFactory",
    "PathwayClaimFactory",
    "PathwayFactory",
    "ReportFactory",
    "ReportVersionFactory",
    "RequestMessageFactory",
    "ReviewerOrganisationFactory",
    "RoadmapItemFactory",
    "SignOffFactory",
    "TeamFactory",
    "UserFactory",
    "VerdictFactory",
    "author_of",
    "leader_of",
    "member_of",
    "published",
    "reviewer_of",
]
