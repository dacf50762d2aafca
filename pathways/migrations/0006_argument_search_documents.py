"""The search documents of pathways, claims and conclusions, per reading level (see pathways.search)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pathways', '0005_auditentry_report_newest'),
    ]

    operations = [
        migrations.CreateModel(
            name='ArgumentSearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('public', 'Public'), ('reviewer', 'Reviewer'), ('internal', 'Internal')], max_length=16)),
                ('title', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('document', models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title', config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector('body', config='english', weight='B'), django.contrib.postgres.search.SearchConfig('english')), output_field=django.contrib.postgres.search.SearchVectorField())),
                ('claim', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='pathways.claim')),
                ('conclusion', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='pathways.conclusion')),
                ('pathway', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='pathways.pathway')),
                ('report', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pathways.report')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='argument_search_document'), models.Index(fields=['report', 'level'], name='argument_search_report_level')],
                'constraints': [models.UniqueConstraint(fields=('pathway', 'level'), name='argument_search_pathway_level'), models.UniqueConstraint(fields=('claim', 'level'), name='argument_search_claim_level'), models.UniqueConstraint(fields=('conclusion', 'level'), name='argument_search_conclusion_level'), models.CheckConstraint(condition=models.Q(models.Q(('claim__isnull', True), ('conclusion__isnull', True), ('pathway__isnull', False)), models.Q(('claim__isnull', False), ('conclusion__isnull', True), ('pathway__isnull', True)), models.Q(('claim__isnull', True), ('conclusion__isnull', False), ('pathway__isnull', True)), _connector='OR'), name='argument_search_one_subject')],
            },
        ),
    ]
