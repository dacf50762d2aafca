"""Writes to evidence and information requests: `requests.py` (filing, answering, following
up, closing, declining) and `editing.py` (authors' edits to evidence), each function one transaction."""
