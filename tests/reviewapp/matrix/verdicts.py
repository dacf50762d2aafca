from tests.reviewapp.matrix import Row  # noqa: F401

ROWS: list = []
