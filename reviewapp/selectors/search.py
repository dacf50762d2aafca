"""Scoped full-text search over claims, evidence, pathways, conclusions, comments and
information requests.

Rule: a person finds only what they can see, read as they read it. Each kind's search
documents (`pathways.search`) are filtered by that kind's own scope through the document's
foreign key (`claim_scope(access, "claim__")`, `comment_scope(access, "comment__")`, …) and
to the person's reading level, so a thing out of scope is never found, and a span above
their level is in none of the text they search: never matched, quoted in a snippet or
counted. Counts come from the same filter.

A search reads one statement per document table (arguments, evidence and requests,
comments), each holding a branch per kind: the best hits of the kinds listed, with how many
there are, and for the other kinds their count alone. Either stops past `COUNT_LIMIT`: a
branch of hits ranks the first COUNT_LIMIT + 1 documents it finds, so a word in every
document costs no more than that. The documents' own report is filtered to the person's
reports (so the GIN index, one per kind, is read for those), the ranking reads the
documents and their scope alone, and what a hit shows (its report, its subject's names) is
joined for the chosen rows only. The reader's query is parsed once per statement
(`search_query`), snippets are made for the chosen rows only, and each branch's SQL (the
scope compiled, which costs more than running it) is kept per access content, kind, report
and slice.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import RawSQL

from pathways.access import Access, access_of
from pathways.models import SEARCH_CONFIG
from pathways.search import MARK_END, MARK_START
from pathways.selectors import Kept, scoped
from reviewapp.selectors.search_kinds import COLUMNS, KINDS, TABLES, Kind

# A count stops here: past it a kind shows "1,000+", and its list ends there.
COUNT_LIMIT = 1_000
# The best hits of each kind the page of every kind shows.
GROUP_SIZE = 5


class ReaderQuery(SearchQuery):
    """The reader's query, parsed once per statement (the `search_query` of its WITH)."""

    def __init__(self):
        super().__init__("")

    def as_sql(self, compiler, connection, *args, **kwargs):
        return "(SELECT query FROM search_query)", []


QUERY = ReaderQuery()


# Where a statement's row holds its kind's total: after the columns a hit is read from,
# before the snippets made of its title and body.
_TOTAL = len(COLUMNS) - 3
# What a statement makes of its branches' rows: the snippets, marked, of the chosen rows only.
HEADLINES = (
    "ts_headline(search_config, title_text, query, 'HighlightAll=true, ' || marks)",
    "ts_headline(search_config, body_text, query, 'MaxWords=30, MinWords=12, MaxFragments=2, "
    'FragmentDelimiter=" … ", \' || marks)',
)
# A count's row in a statement of hits: its kind and count, nothing else (typed, for the
# rows of a statement of counts alone).
_COUNT_ROW = (
    "SELECT %s::text, NULL::bigint, NULL::real, "
    + ", ".join(["NULL::text"] * (len(COLUMNS) - 4))
    + ", COUNT(*) FROM ({sql}) AS found"
)


@dataclass(frozen=True)
class Hit:
    """One thing found: what it is, where, and its title and snippet as PostgreSQL marked
    them (between `MARK_START` and `MARK_END`; `reviewapp.views.search` escapes and marks)."""

    kind: str
    subject_id: int
    rank: float
    report_slug: str
    report_title: str
    slug: str
    on_kind: str
    on_slug: str
    context: str
    heading: str
    snippet: str


@dataclass
class Results:
    """What a search found: how many of each kind (up to COUNT_LIMIT + 1 for the kinds
    counted alone), and the hits of the kinds listed, best first."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    hits: dict[str, list[Hit]] = field(default_factory=lambda: {name: [] for name in KINDS})


# What a hit's row is chosen by (from the documents in scope), and what is then read for
# the chosen rows alone (their report, their subject's names): joined after the window, so
# that neither the ranking nor the planning carries the joins of what a hit shows.
_CHOSEN = ("subject_id", "rank", "total")
_SHOWN = tuple(name for name in COLUMNS if name not in _CHOSEN)


def _shown_columns(kind: Kind) -> dict:
    columns = {
        "kind": Value(kind.name),
        "report_slug": F("report__slug"),
        "report_title": F("report__title"),
        "slug": Value(""),
        "on_kind": Value(""),
        "on_slug": Value(""),
        "context": Value(""),
        "title_text": F("title"),
        "body_text": F("body"),
    }
    columns.update(kind.columns())
    return {name: columns[name] for name in _SHOWN}


def _compiled(rows) -> tuple[str, tuple]:
    return rows.query.get_compiler(using=rows.db).as_sql()


def _hits_sql(kind: Kind, documents, window: tuple[int, int]) -> tuple[str, tuple]:
    """The documents' hits in `window`, best first, each with the number of all of them.

    The candidates are the first COUNT_LIMIT + 1 documents found (a common word costs no
    more than that to rank and count, and its count shows as "1,000+"); they are ranked,
    and only then is each chosen row joined to what it shows (a LATERAL subquery, kept
    apart from the ranking's plan by its OFFSET 0)."""
    candidates = documents.annotate(subject_id=F(f"{kind.field}_id")).values("id", "subject_id", "document")
    candidates_sql, candidates_params = _compiled(candidates.order_by()[: COUNT_LIMIT + 1])
    ranked_sql = (
        "SELECT id, subject_id, ts_rank(document, (SELECT query FROM search_query), 1) AS rank, "
        f"COUNT(*) OVER () AS total FROM ({candidates_sql}) AS candidates "
        f"ORDER BY rank DESC, subject_id LIMIT {int(window[1] - window[0])} OFFSET {int(window[0])}"
    )
    shown = _shown_columns(kind)
    rows = kind.document._default_manager.filter(pk=RawSQL('"chosen"."id"', ())).annotate(**shown).values(*shown)
    shown_sql, shown_params = _compiled(rows)
    select = ", ".join(f'"chosen"."{name}"' if name in _CHOSEN else f'"shown"."{name}"' for name in COLUMNS)
    sql = f"SELECT {select} FROM ({ranked_sql}) AS chosen CROSS JOIN LATERAL ({shown_sql} OFFSET 0) AS shown"
    return sql, (*candidates_params, *shown_params)


# Each branch's compiled SQL and parameters (None: it finds nothing, and is left out), by
# (shape, kind, access fingerprint, report id, slice).
BRANCHES = Kept(size=2048)


def _branch(kind: Kind, access: Access, report_id: int | None, window: tuple[int, int] | None):
    """A kind's branch: its hits in `window` (each with the number of all of them), or with
    no window its count alone, up to COUNT_LIMIT + 1."""

    def compile_branch():
        documents = scoped(kind.document, kind.documents, access).filter(document=QUERY)
        if report_id is not None:
            documents = documents.filter(report_id=report_id)
        try:
            if window is not None:
                return _hits_sql(kind, documents, window)
            sql, params = _compiled(documents.order_by().values("id")[: COUNT_LIMIT + 1])
        except EmptyResultSet:
            return None
        return _COUNT_ROW.format(sql=sql), (kind.name, *params)

    return BRANCHES.get((kind.name, access.fingerprint, report_id, window), compile_branch)


def _statement(text: str, branches: list[tuple[str, tuple]]) -> tuple[str, list]:
    """The branches as one statement: the reader's query parsed once (`search_query`), the
    branches' rows together, and the snippets of the rows they chose."""
    parsed = (
        "WITH search_query AS (SELECT search_config, websearch_to_tsquery(search_config, %s::text) AS query, "
        "'StartSel=' || %s::text || ', StopSel=' || %s::text AS marks FROM (SELECT %s::regconfig AS search_config) c)"
    )
    rows = "\nUNION ALL\n".join(f"({branch})" for branch, _ in branches)
    columns = ", ".join([*COLUMNS[:-3], "total", *HEADLINES])
    sql = f"{parsed}\nSELECT {columns} FROM ({rows}) AS found({', '.join(COLUMNS)}), search_query"
    return sql, [text, MARK_START, MARK_END, SEARCH_CONFIG, *(param for _, params in branches for param in params)]


def _rows(text: str, branches: list[tuple[str, tuple]]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(*_statement(text, branches))
        return cursor.fetchall()


def search_count(person, text: str, *, kind: str, report=None) -> int:
    """How many things of one kind this person finds, up to COUNT_LIMIT + 1 (one query)."""
    access = access_of(person)
    compiled = _branch(KINDS[kind], access, report.pk if report is not None else None, None)
    if not compiled:
        return 0
    [row] = _rows(text, [compiled])
    return row[_TOTAL]


def search(person, text: str, *, report=None, kinds=None, start: int = 0, stop: int = GROUP_SIZE) -> Results:
    """What this person finds with `text`, in `report` or in every report they see: the
    hits of `kinds` (every kind when None) from the `start`th to before the `stop`th of
    each, best first, and how many there are of every kind. One query per document table
    (none for a table whose kinds the person can see none of)."""
    access = access_of(person)
    report_id = report.pk if report is not None else None
    listed = set(KINDS if kinds is None else kinds)
    results = Results()
    for table_kinds in TABLES.values():
        branches = [
            compiled
            for kind in table_kinds
            if (compiled := _branch(kind, access, report_id, (start, stop) if kind.name in listed else None))
        ]
        if not branches:
            continue
        for row in _rows(text, branches):
            kind, subject_id, *_ = row
            results.counts[kind] = row[_TOTAL]
            if subject_id is not None:
                results.hits[kind].append(Hit(*row[:_TOTAL], *row[_TOTAL + 1 :]))
    for hits in results.hits.values():
        hits.sort(key=lambda hit: (-hit.rank, hit.subject_id))
    return results


class Found:
    """One kind's hits as the paginator reads a list: read for the page asked for with the
    other kinds' counts (`search`), and read again only for another slice (a page past the
    last one shows the last)."""

    def __init__(self, person, text: str, *, kind: str, report, start: int, stop: int):
        self.person, self.text, self.kind, self.report, self.window = person, text, kind, report, (start, stop)
        self.results = search(person, text, report=report, kinds=[kind], start=start, stop=stop)
        if start and not self.results.hits[kind]:  # past the last: counted alone
            self.results.counts[kind] = search_count(person, text, kind=kind, report=report)

    @property
    def counts(self) -> dict[str, int]:
        return self.results.counts

    def count(self) -> int:
        return min(self.results.counts[self.kind], COUNT_LIMIT)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Hit]:
        start, stop = self.window
        if window.start == start and window.stop <= stop:  # the page read (cut at the last hit)
            return self.results.hits[self.kind][: window.stop - start]
        results = search(
            self.person, self.text, report=self.report, kinds=[self.kind], start=window.start, stop=window.stop
        )
        return results.hits[self.kind]
