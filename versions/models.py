"""A published version: the report as it stood when an author published it.

It keeps the report file of the whole report at the internal level (`document`, the
`riskreport/1` shape of docs/report-format.md, with every sensitivity and every
[[internal]] span), and the ids its pathways, claims and evidence items had (`ids`), by
which a reader's grants are applied to it. Each reader's reading of it is cut from the
document by `versions.reading`, by the rules of the scope functions. Once written it is
never changed: `save` refuses an update, and no service offers one.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from pathways.models import Report, User


class VersionImmutable(Exception):
    """A published version cannot be changed."""


class ReportVersion(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="published_versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=100, help_text='What readers call it, such as "11 February".')
    note = models.TextField(blank=True)
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)
    document = models.JSONField(encoder=DjangoJSONEncoder)
    # {"pathways": {slug: id}, "claims": {slug: id}, "evidence": {slug: id}}
    ids = models.JSONField()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="version_number_per_report")]

    def __str__(self):
        return f"Version {self.number} ({self.name})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise VersionImmutable(f"{self} of {self.report_id} is published: it cannot be changed.")
        super().save(*args, **kwargs)
