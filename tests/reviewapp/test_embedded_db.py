"""Without DATABASE_URL the app runs its own PostgreSQL: it starts, answers, and stops
when the last process using it exits."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from pathlib import Path
import psycopg
from reviewapp.embedded_db import embedded_database_url
url = embedded_database_url(Path(sys.argv[1]))
with psycopg.connect(url) as connection:
    print(connection.execute("select current_setting('server_version_num')").fetchone()[0])
"""


def test_the_embedded_postgresql_starts_answers_and_stops(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 180000
    assert (tmp_path / ".pgdata" / "PG_VERSION").exists()
    assert not (tmp_path / ".pgdata" / "postmaster.pid").exists(), "the server outlived its last user"
