from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin

from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, ReviewerOrganisation, Team, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Review access", {"fields": ("clearance", "organisation")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Review access", {"fields": ("clearance", "organisation")}))
    list_display = ("username", "email", "first_name", "last_name", "clearance", "organisation", "is_staff")
    list_filter = ("clearance", "organisation", "is_staff", "is_active")


@admin.register(ReviewerOrganisation)
class ReviewerOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    filter_horizontal = ("members",)
    prepopulated_fields = {"slug": ("name",)}


class PathwayInline(admin.TabularInline):
    model = Pathway
    fields = ("position", "slug", "title")
    extra = 0


@admin.register(Report)
class ReportAdmin(GuardedModelAdmin):
    list_display = ("title", "slug", "model_name", "version", "status")
    list_filter = ("status",)
    inlines = [PathwayInline]


class PathwayClaimInline(admin.TabularInline):
    model = PathwayClaim
    autocomplete_fields = ("claim",)
    extra = 0


@admin.register(Pathway)
class PathwayAdmin(GuardedModelAdmin):
    list_display = ("title", "report", "position")
    list_filter = ("report",)
    search_fields = ("title", "slug")
    inlines = [PathwayClaimInline]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("slug", "report", "category", "owner_team", "sensitivity")
    list_filter = ("report", "category", "owner_team", "sensitivity")
    search_fields = ("slug", "statement")


@admin.register(Conclusion)
class ConclusionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "report", "revision")
    list_filter = ("report", "risk_level")
