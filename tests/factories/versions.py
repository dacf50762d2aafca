"""Published versions, made through `version_publish` by one of the report's authors."""

import factory

from tests.factories.base import ServiceFactory
from tests.factories.pathways import ReportFactory, author_of
from versions.models import ReportVersion
from versions.selectors import latest_version
from versions.services import version_publish


class ReportVersionFactory(ServiceFactory):
    """The report as it stands, published under a name by a new author of it (unless `author`)."""

    class Meta:
        model = ReportVersion

    report = factory.SubFactory(ReportFactory)
    author = factory.LazyAttribute(lambda version: author_of(version.report))
    name = factory.Sequence(lambda n: f"Version for review {n}")
    note = ""

    @classmethod
    def _create(cls, model_class, **fields):
        return version_publish(**fields)


def published(report, name: str = "For review") -> ReportVersion:
    """The report's latest published version, publishing the draft first if it has none."""
    return latest_version(report) or ReportVersionFactory(report=report, name=name)
