"""Steps the export tests share: starting an export from the Exports page, downloading it,
and reading the downloaded file's text."""

import io
import re

from django.urls import reverse
from pypdf import PdfReader


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def downloaded_text(response) -> str:
    """The downloaded file's text: Markdown as it is, PDF extracted and with whitespace removed
    (WeasyPrint wraps lines where it likes)."""
    content = b"".join(response.streaming_content)
    if response["Content-Type"] == "application/pdf":
        assert content.startswith(b"%PDF-")
        return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
    return content.decode("utf-8")


def found(text: str, words: str) -> bool:
    return words in text or squeezed(words) in text


def start(client, captured, slug="pilot", **choices):
    """POST the start form, running the job's task when the request's transaction commits."""
    data = {"kind": "report", "fmt": "md", "level": "public", **choices}
    with captured(execute=True):
        return client.post(reverse("export_start", args=[slug]), data)


def download(client, job, slug="pilot"):
    return client.get(reverse("export_download", args=[slug, job.pk]))
