"""An information request is about a pathway, claim or evidence item of its own report, as
the database now checks: the scope functions read the request's report_id for its subject's."""

from django.db import migrations

SUBJECTS = [("pathway", "pathways_pathway"), ("claim", "pathways_claim"), ("evidence", "evidence_evidence")]


def _constraint(subject, table):
    name = f"informationrequest_{subject}_in_report"
    add = f"""ALTER TABLE evidence_informationrequest ADD CONSTRAINT {name} FOREIGN KEY ({subject}_id, report_id)
        REFERENCES {table} (id, report_id) DEFERRABLE INITIALLY DEFERRED"""
    return migrations.RunSQL(add, f"ALTER TABLE evidence_informationrequest DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0004_report_keys_and_owner_indexes"),
        ("pathways", "0004_conclusion_pathway_in_its_report"),
    ]

    operations = [_constraint(subject, table) for subject, table in SUBJECTS]
