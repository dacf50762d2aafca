"""The search documents of comments, and a data step that writes the documents of every
kind for the rows that existed before the tables did (see pathways.search)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from reviewapp.services.search import search_index_rebuild


def build_search_documents(apps, schema_editor):
    search_index_rebuild(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0008_evidence_search_documents'),
        ('pathways', '0006_argument_search_documents'),
        ('reviewapp', '0006_open_threads_covering'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommentSearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('public', 'Public'), ('reviewer', 'Reviewer'), ('internal', 'Internal')], max_length=16)),
                ('title', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('document', models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title', config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector('body', config='english', weight='B'), django.contrib.postgres.search.SearchConfig('english')), output_field=django.contrib.postgres.search.SearchVectorField())),
                ('comment', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='reviewapp.comment')),
                ('report', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pathways.report')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='comment_search_document'), models.Index(fields=['report', 'level'], name='comment_search_report_level')],
                'constraints': [models.UniqueConstraint(fields=('comment', 'level'), name='comment_search_comment_level')],
            },
        ),
        migrations.RunPython(build_search_documents, migrations.RunPython.noop),
    ]
