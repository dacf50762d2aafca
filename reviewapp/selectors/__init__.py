"""Scoped reads of the review activity: `comments.py`, `verdicts.py`."""
