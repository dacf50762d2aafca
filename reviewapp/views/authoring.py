"""Authors' edits in place, with conflict detection; change history with diffs; the audit log."""

urlpatterns = []
