"""Admin for what the background work leaves: the notification outbox and export jobs.
Rows are read-only here; failed ones are listed by state and retried with an action."""

from django.contrib import admin, messages

from reviewapp.models import ExportJob, Notification, NotificationPreference
from reviewapp.services.delivery import notifications_retry
from reviewapp.services.exports import export_jobs_delete, export_jobs_retry


class BackgroundWorkAdmin(admin.ModelAdmin):
    """Read-only rows written by tasks, with a `retry_failed` action that hands the failed
    ones back to the worker through `retry(rows) -> count`."""

    actions = ["retry_failed"]
    noun = ""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def retry(self, rows) -> int:
        raise NotImplementedError

    @admin.action(description="Retry what failed in the selected rows", permissions=["change"])
    def retry_failed(self, request, queryset):
        count = self.retry(list(queryset))
        self.message_user(request, f"{count} failed {self.noun} handed to the worker again.", messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(BackgroundWorkAdmin):
    list_display = ["id", "kind", "recipient", "report", "state", "email_state", "attempts", "created_at"]
    list_filter = ["state", "email_state", "kind"]
    search_fields = ["recipient__username", "dedupe_key", "last_error"]
    list_select_related = ["recipient", "report"]
    noun = "notification step(s)"

    def retry(self, rows) -> int:
        return notifications_retry(rows)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]


@admin.register(ExportJob)
class ExportJobAdmin(BackgroundWorkAdmin):
    list_display = ["id", "kind", "fmt", "level", "requester", "report", "state", "attempts", "created_at"]
    list_filter = ["state", "kind", "fmt"]
    list_select_related = ["requester", "report"]
    noun = "export job(s)"

    def retry(self, rows) -> int:
        return export_jobs_retry(rows)

    def delete_model(self, request, obj):
        export_jobs_delete([obj])

    def delete_queryset(self, request, queryset):
        export_jobs_delete(queryset)
