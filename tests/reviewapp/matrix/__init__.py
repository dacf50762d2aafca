"""Rows of the permission matrix (tests/reviewapp/test_permission_matrix.py), one module per
feature so that each feature keeps its own rows: `reading`, `requests`, `comments`, `verdicts`,
`authoring`. Every module exposes `ROWS`, a list of `Row`.

A row names a URL and says, for every persona in tests.conftest.PERSONAS, the status they
must get. Where the URL needs objects that the shared `world` does not have (a request, a
comment), `setup(world, persona)` creates them first — `persona(name)` gives the persona
fixture of that name — and `kwargs`/`data` may be callables of `(world, objects)` where
`objects` is what `setup` returned.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.helpers import HTMX as HTMX  # the rows of every matrix module use it from here

IN_SCOPE = {"author": 200, "stress_tester": 200, "external_reviewer": 200, "leadership": 200, "team_member": 200}
REPORT_PAGE = {**IN_SCOPE, "outsider": 404, "anonymous": 302}
HIDDEN_FROM_EXTERNAL = {**REPORT_PAGE, "external_reviewer": 404}
SIGNED_IN = {**IN_SCOPE, "outsider": 200}


@dataclass
class Row:
    name: str
    expected: dict[str, int]
    kwargs: dict | Callable[[Any, Any], dict] = field(default_factory=dict)
    method: str = "get"
    headers: dict = field(default_factory=dict)
    data: dict | Callable[[Any, Any], dict] = field(default_factory=dict)
    setup: Callable[[Any, Callable[[str], Any]], Any] | None = None
    label: str = ""
