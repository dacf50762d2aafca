"""A comment is on a pathway, claim, evidence item or conclusion of its own report, as the
database now checks: the scope functions read the comment's report_id for its subject's."""

from django.db import migrations

SUBJECTS = [
    ("pathway", "pathways_pathway"),
    ("claim", "pathways_claim"),
    ("evidence", "evidence_evidence"),
    ("conclusion", "pathways_conclusion"),
]


def _constraint(subject, table):
    name = f"comment_{subject}_in_report"
    add = f"""ALTER TABLE reviewapp_comment ADD CONSTRAINT {name} FOREIGN KEY ({subject}_id, report_id)
        REFERENCES {table} (id, report_id) DEFERRABLE INITIALLY DEFERRED"""
    return migrations.RunSQL(add, f"ALTER TABLE reviewapp_comment DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reviewapp", "0003_export_scope_and_rendered_level"),
        ("evidence", "0005_request_subject_in_its_report"),
    ]

    operations = [_constraint(subject, table) for subject, table in SUBJECTS]
