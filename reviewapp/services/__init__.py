"""Writes of the review activity: `comments.py`, `verdicts.py`, `signoff.py`."""
