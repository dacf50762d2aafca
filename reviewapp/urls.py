from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from reviewapp.views import (
    api,
    audit,
    authoring,
    carrying,
    comments,
    exports,
    findings,
    inbox,
    notifications,
    requests,
    roadmap,
    search,
    verdicts,
    versions,
    warning_signs,
)
from reviewapp.views import reading as views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reports/<slug:slug>/", views.report_detail, name="report_detail"),
    path("reports/<slug:slug>/status/", views.report_status, name="report_status"),
    path("reports/<slug:slug>/pathways/<slug:pathway_slug>/", views.pathway_detail, name="pathway_detail"),
    path("reports/<slug:slug>/claims/", views.claim_index, name="claim_index"),
    path("reports/<slug:slug>/claims/<slug:claim_slug>/", views.claim_detail, name="claim_detail"),
    path("reports/<slug:slug>/claims/<slug:claim_slug>/evidence/", views.claim_evidence, name="claim_evidence"),
    path("reports/<slug:slug>/load-bearing/", views.load_bearing, name="load_bearing"),
    path("reports/<slug:slug>/evidence/", views.evidence_index, name="evidence_index"),
    path("reports/<slug:slug>/evidence/<slug:evidence_slug>/", views.evidence_detail, name="evidence_detail"),
    path("admin/", admin.site.urls),
    *requests.urlpatterns,
    *inbox.urlpatterns,
    *comments.urlpatterns,
    *verdicts.urlpatterns,
    *authoring.urlpatterns,
    *carrying.urlpatterns,
    *api.urlpatterns,
    *warning_signs.urlpatterns,
    *findings.urlpatterns,
    *audit.urlpatterns,
    *notifications.urlpatterns,
    *exports.urlpatterns,
    *search.urlpatterns,
    *versions.urlpatterns,
    *roadmap.urlpatterns,
]
