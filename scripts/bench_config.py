"""What the benchmark's modules share: where things are, what the environment sets, the
budgets, and how it speaks (see bench.py)."""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SCALE = os.environ.get("BENCH_SCALE", "1")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", BASE_DIR / "docs" / "benchmarks.md"))
DATABASE = "rrr_bench"
SEQ_SCAN_ROWS = 10_000
BUDGET_RATIO, BUDGET_P95_MS, BUDGET_QUERIES, BUDGET_SQL = 0.33, 100, 10, 8 * 1024


def say(message: str) -> None:
    print(message, flush=True)


def fail(message: str) -> None:
    print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(1)
