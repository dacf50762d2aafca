"""Handing work to the worker once a transaction has committed."""

import logging
from collections.abc import Iterable

logger = logging.getLogger(__name__)


def hand_to_worker(task, ids: Iterable[int], *, waiting: str) -> None:
    """`task.delay(id)` for each id. A broker that cannot be reached is logged, not raised:
    the row stays as it is (`waiting` says where, for the log) and a periodic sweep hands it
    over once the broker answers. Stops at the first refusal: the rest would wait alike."""
    for row_id in ids:
        try:
            task.delay(row_id)
        except Exception as error:  # kombu's OperationalError, a refused connection, a timeout …
            logger.warning("%s %s %s until the broker answers: %s", task.name, row_id, waiting, error)
            return
