"""What the tests share: the htmx request header, a page's text, and counting the queries a page makes
(for the tests that hold pages to their budgets).

Every page and fragment makes a fixed, small number of queries whatever the data, and no
read is longer than MAX_SQL_BYTES of SQL (as sent, parameters included): a scope that
nests into a long statement costs the ORM more to compile than PostgreSQL to run. Writes
are not held to it: an INSERT carries the person's own text (a comment, a sign-off's
frozen snapshot), whose length the forms bound."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

MAX_SQL_BYTES = 8 * 1024
HTMX = {"HTTP_HX_REQUEST": "true"}
READS = ("SELECT", "WITH", "(SELECT", "DECLARE")


def assert_no_long_query(queries) -> None:
    """`queries`: CaptureQueriesContext.captured_queries, or a list of SQL strings."""
    for query in queries:
        sql = query["sql"] if isinstance(query, dict) else query
        if not sql.lstrip().upper().startswith(READS):
            continue
        size = len(sql.encode())
        assert size <= MAX_SQL_BYTES, f"a query of {size:,} bytes of SQL (at most {MAX_SQL_BYTES:,}):\n{sql[:2000]}"


@contextmanager
def counted():
    """Capture the queries made inside the block; checks their length on the way out."""
    with CaptureQueriesContext(connection) as queries:
        yield queries
    assert_no_long_query(queries.captured_queries)


def page_queries(client, url: str, *, htmx: bool = False, status: int = 200) -> list[str]:
    """GET the page (or fragment) and return the SQL of each query it made, after checking
    its status and that no query is too long."""
    with counted() as queries:
        response = client.get(url, **(HTMX if htmx else {}))
    assert response.status_code == status, f"{url}: {response.status_code}"
    return [query["sql"] for query in queries.captured_queries]


def query_count(client, url: str, *, method="get", data=None, htmx=False, statuses=(200, 302)) -> int:
    """Send the request and return how many queries it made, after checking its status is
    one of `statuses` and that no query is too long."""
    with counted() as queries:
        response = getattr(client, method)(url, data or {}, **(HTMX if htmx else {}))
    assert response.status_code in statuses, (url, response.status_code)
    return len(queries)


def body(client, url: str) -> str:
    """The text of a page that must answer 200."""
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def authenticator_code(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show now for this TOTP device (a later step's with
    `steps_ahead`: a code already used is refused, the next one is accepted)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
