"""The search documents: what full-text search reads of each thing, at each reading level.

Rules:
- Redaction is a parse in Python (`pathways.text.redact`), so the text search matches and
  quotes is stored already redacted, one row per thing and reading level (`READING_LEVELS`,
  the levels people read at). A reader's search reads the rows of their own level only: a
  span above it is not in the text they search, so it is never matched, quoted or counted.
- A thing gets no row at a level that may not read it at all (an internal claim has no
  reviewer row; nor has an internal comment). The scope functions decide visibility; this
  only keeps text out of rows nobody at that level could be shown.
- Each app keeps the documents of its own models (`pathways.models.SearchDocument` is the
  table's shape), written by the services that write those models, inside their
  transaction, with `documents_write`; `documents_rebuild` writes them for existing rows (a
  report file import, `manage.py rebuild_search_index`, the migration that made the tables).
- The tsvector is a generated column (title weighted above body, English stemming), so it
  always follows the stored text. Documents are deleted with the thing (a foreign key).

This module holds what every app's documents share, and the documents of pathways, claims
and conclusions.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import connection

from pathways.enums import Sensitivity
from pathways.text import REDACTED, level_allows, redact

# The levels people read at (`User.reading_level`): external reviewers and internal staff.
READING_LEVELS: tuple[str, ...] = (Sensitivity.REVIEWER, Sensitivity.INTERNAL)
# What ts_headline puts around a match (private characters), and what stands for a
# redacted span (a full block, which no search word matches and ts_headline keeps): never
# in stored text otherwise, so that after escaping a snippet they can only be PostgreSQL's
# highlights and the redactions.
MARK_START, MARK_END, REDACTION = "\ue010", "\ue011", "\u2588"
_MARKS = re.compile(f"[{MARK_START}{MARK_END}{REDACTION}]")
BATCH = 2_000


def searchable_text(text: str, level: str) -> str:
    """`text` as a reader at `level` reads it, each redacted span one REDACTION character."""
    return redact(_MARKS.sub("", text or ""), level).replace(REDACTED, REDACTION)


@dataclass(frozen=True)
class Searchable:
    """One kind of thing search finds: its model and document table (app labels, so that a
    migration can pass its own registry), the document's field naming it, the fields its
    texts read, its title and body as written, and the lowest level that may read it."""

    model: str
    document: str
    field: str
    reads: tuple[str, ...]
    title: Callable[..., str]
    body: Callable[..., str]
    lowest_level: Callable[..., str] = lambda subject: Sensitivity.PUBLIC

    def rows(self, subject) -> list[tuple]:
        """(report id, subject id, level, title, body) for each level that may read it."""
        lowest = self.lowest_level(subject)
        return [
            (
                subject.report_id,
                subject.pk,
                level,
                searchable_text(self.title(subject), level),
                searchable_text(self.body(subject), level),
            )
            for level in READING_LEVELS
            if level_allows(level, lowest)
        ]


def paragraphs(*texts: str) -> str:
    return "\n\n".join(text for text in texts if text)


PATHWAYS = Searchable(
    "pathways.Pathway",
    "pathways.ArgumentSearchDocument",
    "pathway",
    ("title", "critical_action", "argument"),
    title=lambda pathway: pathway.title,
    body=lambda pathway: paragraphs(pathway.critical_action, pathway.argument),
)
CLAIMS = Searchable(
    "pathways.Claim",
    "pathways.ArgumentSearchDocument",
    "claim",
    ("statement", "rationale", "sensitivity"),
    title=lambda claim: claim.statement,
    body=lambda claim: claim.rationale,
    lowest_level=lambda claim: claim.sensitivity,
)
CONCLUSIONS = Searchable(
    "pathways.Conclusion",
    "pathways.ArgumentSearchDocument",
    "conclusion",
    ("text",),
    title=lambda conclusion: "",
    body=lambda conclusion: conclusion.text,
)
ARGUMENT = (PATHWAYS, CLAIMS, CONCLUSIONS)


def documents_write(searchable: Searchable, subjects: Iterable, *, apps=global_apps) -> None:
    """Bring the documents of `subjects` to their text now, in one statement: rows for the
    levels that may read each are written (unchanged ones left alone), others deleted."""
    subjects = list(subjects)
    if not subjects:
        return
    rows = [row for subject in subjects for row in searchable.rows(subject)]
    document = apps.get_model(searchable.document)
    table = connection.ops.quote_name(document._meta.db_table)
    column = connection.ops.quote_name(document._meta.get_field(searchable.field).column)
    sql = f"""WITH new (report_id, subject_id, level, title, body) AS (
            SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[])),
        gone AS (DELETE FROM {table} WHERE {column} = ANY(%s::bigint[])
            AND ({column}, level) NOT IN (SELECT subject_id, level FROM new))
        INSERT INTO {table} (report_id, {column}, level, title, body)
        SELECT report_id, subject_id, level, title, body FROM new
        ON CONFLICT ({column}, level) DO UPDATE
            SET report_id = EXCLUDED.report_id, title = EXCLUDED.title, body = EXCLUDED.body
            WHERE ({table}.report_id, {table}.title, {table}.body)
                IS DISTINCT FROM (EXCLUDED.report_id, EXCLUDED.title, EXCLUDED.body)"""
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(list(values) for values in columns), [subject.pk for subject in subjects]])


def documents_rebuild(searchable: Searchable, *, report_ids=None, apps=global_apps, prepare=None) -> int:
    """Write the documents of every row of the kind (or those of `report_ids`), `BATCH` at a
    time; `prepare(queryset)` adds what the texts read (a request's messages). Returns the
    number of things."""
    queryset = apps.get_model(searchable.model)._default_manager.order_by("pk")
    if report_ids is not None:
        queryset = queryset.filter(report_id__in=list(report_ids))
    if prepare is not None:
        queryset = prepare(queryset)
    queryset = queryset.only("report_id", *searchable.reads)
    count, batch = 0, []
    for subject in queryset.iterator(chunk_size=BATCH):
        batch.append(subject)
        if len(batch) == BATCH:
            documents_write(searchable, batch, apps=apps)
            count, batch = count + len(batch), []
    documents_write(searchable, batch, apps=apps)
    return count + len(batch)


def search_index_pathway(pathway) -> None:
    documents_write(PATHWAYS, [pathway])


def search_index_claim(claim) -> None:
    documents_write(CLAIMS, [claim])


def search_index_conclusion(conclusion) -> None:
    documents_write(CONCLUSIONS, [conclusion])


def search_index_argument(*, report_ids=None, apps=global_apps) -> int:
    """The documents of the pathways, claims and conclusions (of `report_ids`, or all)."""
    return sum(documents_rebuild(kind, report_ids=report_ids, apps=apps) for kind in ARGUMENT)
