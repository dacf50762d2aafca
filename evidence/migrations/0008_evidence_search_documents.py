"""The search documents of evidence items and information requests, per reading level (see pathways.search)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0007_undermining_links_and_requests_by_due_date'),
        ('pathways', '0006_argument_search_documents'),
    ]

    operations = [
        migrations.CreateModel(
            name='EvidenceSearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('public', 'Public'), ('reviewer', 'Reviewer'), ('internal', 'Internal')], max_length=16)),
                ('title', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('document', models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title', config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector('body', config='english', weight='B'), django.contrib.postgres.search.SearchConfig('english')), output_field=django.contrib.postgres.search.SearchVectorField())),
                ('evidence', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='evidence.evidence')),
                ('information_request', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='evidence.informationrequest')),
                ('report', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pathways.report')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='evidence_search_document'), models.Index(fields=['report', 'level'], name='evidence_search_report_level')],
                'constraints': [models.UniqueConstraint(fields=('evidence', 'level'), name='evidence_search_evidence_level'), models.UniqueConstraint(fields=('information_request', 'level'), name='evidence_search_information_request_level'), models.CheckConstraint(condition=models.Q(models.Q(('evidence__isnull', False), ('information_request__isnull', True)), models.Q(('evidence__isnull', True), ('information_request__isnull', False)), _connector='OR'), name='evidence_search_one_subject')],
            },
        ),
    ]
