from django.contrib import admin

from evidence.models import ClaimEvidence, Evidence


class ClaimEvidenceInline(admin.TabularInline):
    model = ClaimEvidence
    autocomplete_fields = ("claim",)
    extra = 0


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "report", "kind", "owner_team", "sensitivity")
    list_filter = ("report", "kind", "owner_team", "sensitivity")
    search_fields = ("slug", "title")
    inlines = [ClaimEvidenceInline]
