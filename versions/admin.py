from django.contrib import admin

from versions.models import ReportVersion


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    """Published versions, to look at: they are published in the app and never changed."""

    list_display = ("report", "number", "name", "published_by", "published_at")
    list_filter = ("report",)
    fields = ("report", "number", "name", "note", "published_by", "published_at", "document", "ids")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
