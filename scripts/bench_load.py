"""Loading a page under wrk against gunicorn, and timing a report file's import and the
internal PDF export (see bench.py)."""

import json
import subprocess
import tempfile
import time
from pathlib import Path

from bench_config import BASE_DIR, PORT, PYTHON, SECONDS, fail

LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "p50": %d, "p95": %d, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95), errors))
end
"""


def load(url: str, *, cookie: str = "", htmx: bool = False, seconds: int = SECONDS) -> dict:
    """wrk at 8 connections for `seconds`: requests/s, p50 and p95 in ms, errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", script.name, f"http://127.0.0.1:{PORT}{url}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    if htmx:
        command[1:1] = ["-H", "HX-Request: true"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    return {
        "rps": result["requests"] / result["seconds"],
        "p50": result["p50"] / 1000,
        "p95": result["p95"] / 1000,
        "errors": result["errors"],
    }


def wait_for_server(process) -> None:
    import urllib.request

    for _ in range(100):
        if process.poll() is not None:
            fail("gunicorn exited before it served a page")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    fail("gunicorn did not answer /healthz within 20 seconds")


def time_import(env) -> float:
    """Import of a report file of 1,000 claims (with 2,000 evidence items), end to end."""
    import yaml

    claims, evidence = 1_000, 2_000
    document = {
        "format": "riskreport/1",
        # A new report each run, also on a database a kept run left (BENCH_REUSE).
        "report": {"slug": f"import-1000-{int(time.time())}", "title": "A report of 1,000 claims", "model": "Model I"},
        "teams": [{"slug": f"import-team-{n}", "name": f"Import team {n}"} for n in range(10)],
        "pathways": [
            {
                "slug": f"pathway-{p}",
                "title": f"Pathway {p}",
                "argument": "An argument. " * 200,
                "conclusion": {"risk_level": "low", "text": "Low."},
                "claims": [f"claim-{c}" for c in range(p, claims, 10)],
            }
            for p in range(10)
        ],
        "claims": [
            {
                "slug": f"claim-{c}",
                "statement": f"Claim {c} holds.",
                "category": "monitoring",
                "owner_team": f"import-team-{c % 10}",
                "sensitivity": ["public", "reviewer", "internal"][c % 3],
                "rationale": "Because. [[internal]]Inside.[[/internal]]",
                "evidence": [{"evidence": f"evidence-{(c * 2 + k) % evidence}"} for k in range(2)],
            }
            for c in range(claims)
        ],
        "evidence": [
            {
                "slug": f"evidence-{e}",
                "title": f"Evidence {e}",
                "kind": "evaluation",
                "owner_team": f"import-team-{e % 10}",
                "summary": "A summary.",
            }
            for e in range(evidence)
        ],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as file:
        yaml.safe_dump(document, file)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", "import_report", file.name], cwd=BASE_DIR, env=env, check=True, capture_output=True
    )
    elapsed = time.monotonic() - started
    Path(file.name).unlink()
    return elapsed


def time_pdf_export() -> tuple[float, int]:
    """The internal PDF of report 1 (the largest: every bench report is the same size), in this process."""
    from evidence.report_file import report_export_document
    from pathways.models import Report

    started = time.monotonic()
    document = report_export_document(report=Report.objects.get(pk=1), level="internal", fmt="pdf")
    return time.monotonic() - started, len(document.content)
