from django.contrib import admin, messages
from django.utils import timezone

from monitoring.models import Reopening, WarningSign, WarningSignSource


@admin.register(WarningSignSource)
class WarningSignSourceAdmin(admin.ModelAdmin):
    """Tokens are made by `manage.py warning_sign_token`, printed once; here staff see them
    by source and revoke them."""

    list_display = ("name", "report", "created_at", "last_used_at", "revoked_at")
    list_filter = ("report",)
    readonly_fields = ("report", "name", "token_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token{'s' if count != 1 else ''}.", messages.SUCCESS)


@admin.register(WarningSign)
class WarningSignAdmin(admin.ModelAdmin):
    list_display = ("title", "report", "severity", "state", "observed_at", "created_at")
    list_filter = ("state", "severity", "report")
    readonly_fields = [field.name for field in WarningSign._meta.fields] + ["claims"]

    def has_add_permission(self, request):
        return False


@admin.register(Reopening)
class ReopeningAdmin(admin.ModelAdmin):
    list_display = ("conclusion", "warning_sign", "revision", "created_at")
    readonly_fields = ("warning_sign", "conclusion", "revision", "created_at")

    def has_add_permission(self, request):
        return False
