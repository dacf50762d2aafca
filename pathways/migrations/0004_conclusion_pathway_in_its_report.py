"""A pathway's conclusion is in the pathway's report, as the database now checks: the
scope functions read a row's own report_id for the report of what it is about."""

from django.db import migrations

SQL = """ALTER TABLE pathways_conclusion ADD CONSTRAINT conclusion_pathway_in_report
    FOREIGN KEY (pathway_id, report_id) REFERENCES pathways_pathway (id, report_id) DEFERRABLE INITIALLY DEFERRED"""


class Migration(migrations.Migration):
    dependencies = [("pathways", "0003_report_keys_and_owner_indexes")]

    operations = [
        migrations.RunSQL(SQL, "ALTER TABLE pathways_conclusion DROP CONSTRAINT conclusion_pathway_in_report"),
    ]
