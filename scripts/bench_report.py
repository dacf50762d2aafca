"""The benchmark's table, written to docs/benchmarks.md, and whether every budget holds (see bench.py)."""

import os
import statistics

from bench_config import BUDGET_P95_MS, BUDGET_QUERIES, BUDGET_RATIO, BUDGET_SQL, OUTPUT, SCALE, SECONDS
from bench_pages import Page


def within(page: Page, login_rps: float) -> bool:
    return (
        page.status == 200
        and page.errors == 0
        and page.requests_per_second >= BUDGET_RATIO * login_rps
        and page.p95_ms < BUDGET_P95_MS
        and page.queries <= BUDGET_QUERIES
        and page.longest_sql <= BUDGET_SQL
        and not page.seq_scans
    )


def write_report(pages, baseline, timings, seed_seconds, counts) -> bool:
    login_rps = statistics.median(run["rps"] for run in baseline["login"])
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (scripts/bench.py) on this machine: "
        f"{os.cpu_count()} cores; gunicorn with 2 sync workers, DEBUG off; wrk with 2 threads and "
        f"8 connections for {SECONDS} s a page, every page (after 1 s to warm it) in the same run as the login page "
        "(measured first, in the middle and last; ratios are to the median) and /healthz.",
        "",
        f"Data (`manage.py seed_bench --scale {SCALE}`, {seed_seconds:.0f} s): "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items())
        + ".",
        "",
        "Budgets: every page and fragment at ≥ 33% of the login page's requests/s, p95 under "
        "100 ms, at most 10 queries, none over 8 KB of SQL, and no sequential scan of a table "
        "of more than 10,000 rows (EXPLAIN of every query the page makes).",
        "",
        "Reproduce: `make bench` (BENCH_SECONDS=5 by default; the table below is rewritten).",
        "",
        "| page | as | requests/s | p50 ms | p95 ms | queries | longest SQL | ratio to login | budgets |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, runs in baseline.items():
        for index, run in enumerate(runs):
            label = f"{name} ({['first', 'middle', 'last'][index]})" if len(runs) > 1 else name
            lines.append(
                f"| {label} | anonymous | {run['rps']:.0f} | {run['p50']:.1f} | {run['p95']:.1f} | – | – | "
                f"{run['rps'] / login_rps:.0%} | |"
            )
    all_within = True
    for page in pages:
        ok = within(page, login_rps)
        all_within &= ok
        notes = "within" if ok else "**over**"
        if page.seq_scans:
            notes += f" (seq scan of {', '.join(page.seq_scans)})"
        if page.status != 200 or page.errors:
            notes += f" (status {page.status}, {page.errors} errors)"
        lines.append(
            f"| {page.label} | {page.persona} | {page.requests_per_second:.0f} | {page.p50_ms:.1f} | "
            f"{page.p95_ms:.1f} | {page.queries} | {page.longest_sql:,} B | "
            f"{page.requests_per_second / login_rps:.0%} | {notes} |"
        )
    import_seconds, (pdf_seconds, pdf_bytes) = timings["import"], timings["pdf"]
    lines += [
        "",
        f"- Importing a report file of 1,000 claims and 2,000 evidence items (`import_report`, "
        f"process start included): **{import_seconds:.1f} s** (budget 5 s).",
        f"- The internal PDF export of a bench report (9 pathways, {counts['claims'] // counts['reports']:,} "
        f"claims, {counts['evidence items'] // counts['reports']:,} evidence items; {pdf_bytes / 1e6:.1f} MB): "
        f"**{pdf_seconds:.1f} s** (budget 10 s).",
        "",
        "Every page shape is loaded as each persona who may open it: the author of report 1, an "
        "external reviewer limited to three of its pathways, and a member of an owning team (which "
        "owns claims and evidence in every report, and so reads all twenty). Queries, the longest "
        "query and the sequential scans come from loading each page once in the benchmark's own "
        "process; requests/s and latency from wrk against gunicorn.",
        "",
        "What these numbers mean, the figures before the access object, and what is left: "
        "[performance.md](performance.md).",
        "",
    ]
    all_within &= import_seconds < 5 and pdf_seconds < 10
    lines.append(
        "**All budgets hold.**" if all_within else "**Some budgets do not hold yet: see the rows marked over.**"
    )
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n")
    return all_within
