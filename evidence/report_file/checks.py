"""The checks a report file's values are checked with (`evidence.report_file.validation`):
each appends the errors of one value, given its path. Shared by every section of the format."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models

from evidence.report_file.reading import FORMAT, ReportFileError, describe, quoted
from pathways.models import SLUG_PATTERN
from pathways.text import has_span_markup, span_errors

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_date(value: date | str | None) -> date | None:
    """`evidence_cutoff` as a date, from a valid document's YAML date or ISO string."""
    return date.fromisoformat(value) if isinstance(value, str) else value


Check = Callable[[Any, str, list[ReportFileError]], None]


@dataclass(frozen=True)
class Key:
    check: Check
    required: bool = False


def is_string(value: Any, path: str, errors: list[ReportFileError]) -> bool:
    if isinstance(value, str):
        if "\x00" not in value:
            return True
        errors.append(ReportFileError(path, "must not contain NUL characters"))
        return False
    hint = " (put it in quotes)" if isinstance(value, (bool, int, float, date)) else ""
    errors.append(ReportFileError(path, f"must be a string, not {describe(value)}{hint}"))
    return False


def plain(max_length: int | None = None) -> Check:
    """Plain text: a string, within `max_length`, without redaction spans."""

    def check(value, path, errors):
        if not is_string(value, path, errors):
            return
        if max_length and len(value) > max_length:
            errors.append(ReportFileError(path, f"is {len(value)} characters long; the limit is {max_length}"))
        if has_span_markup(value):
            errors.append(ReportFileError(path, "redaction spans are only allowed in Markdown fields"))

    return check


def column(model: type[models.Model], field: str) -> Check:
    """Plain text limited to the length of the column it is stored in."""
    column = model._meta.get_field(field)
    assert isinstance(column, models.Field)  # a column, not a relation
    return plain(column.max_length)


def markdown(value, path, errors):
    if is_string(value, path, errors):
        errors.extend(ReportFileError(path, message) for message in span_errors(value))


def slug_check(value, path, errors):
    if is_string(value, path, errors) and not re.fullmatch(SLUG_PATTERN, value):
        errors.append(
            ReportFileError(
                path,
                f"{quoted(value)} is not a valid slug: lower-case letters, digits and hyphens, "
                "at most 64, starting with a letter or digit",
            )
        )


def date_check(value, path, errors):
    if type(value) is date:  # a datetime is a date too, but not an ISO date
        return
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return
        except ValueError:
            pass
    errors.append(ReportFileError(path, f"must be an ISO date such as 2025-08-20, not {describe(value)}"))


def choice(choices: type[models.TextChoices]) -> Check:
    def check(value, path, errors):
        if is_string(value, path, errors) and value not in choices.values:
            errors.append(ReportFileError(path, f"{quoted(value)} is not one of: {', '.join(choices.values)}"))

    return check


def format_check(value, path, errors):
    if value != FORMAT:
        errors.append(ReportFileError(path, f"must be exactly '{FORMAT}', not {describe(value)}"))


def mapping(keys: dict[str, Key]) -> Check:
    """A mapping with exactly these keys: unknown ones are errors, required ones must be there."""

    def check(value, path, errors):
        if not isinstance(value, dict):
            errors.append(ReportFileError(path, f"must be a mapping, not {describe(value)}"))
            return
        for key in value:
            if key not in keys:
                errors.append(ReportFileError(join(path, key), f"unknown key (expected one of: {', '.join(keys)})"))
        for key, spec in keys.items():
            given = value.get(key)
            if given is None:
                if spec.required:
                    errors.append(ReportFileError(join(path, key), "missing: this key is required"))
            elif spec.required and isinstance(given, str) and not given.strip():
                errors.append(ReportFileError(join(path, key), "must not be blank"))
            else:
                spec.check(given, join(path, key), errors)

    return check


def listing(item: Check) -> Check:
    def check(value, path, errors):
        if not isinstance(value, list):
            errors.append(ReportFileError(path, f"must be a list, not {describe(value)}"))
            return
        for index, entry in enumerate(value):
            item(entry, f"{path}[{index}]", errors)

    return check


def join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def entries(document: dict, section: str) -> Iterator[tuple[str, dict]]:
    """The mappings of a top-level list, with their paths; anything else was reported already."""
    entries = document.get(section)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                yield f"{section}[{index}]", entry


def unique_slugs(document: dict, section: str, noun: str, errors: list[ReportFileError]) -> set[str]:
    """The slugs of a section (valid or not, so one bad slug is one error), reporting duplicates."""
    first_at: dict[str, str] = {}
    for path, entry in entries(document, section):
        slug = entry.get("slug")
        if not isinstance(slug, str):
            continue
        if slug in first_at:
            message = f"duplicate {noun} slug {quoted(slug)} (first used at {first_at[slug]})"
            errors.append(ReportFileError(f"{path}.slug", message))
        else:
            first_at[slug] = path
    return set(first_at)


def reference(slug: Any, known: set[str], path: str, noun: str, errors: list[ReportFileError]) -> None:
    if isinstance(slug, str) and slug.strip() and slug not in known:
        errors.append(ReportFileError(path, f"unknown {noun} {quoted(slug)}"))


def references(
    slugs: list, known: set[str], path: str, noun: str, errors: list[ReportFileError], *, suffix: str = ""
) -> None:
    """A list of references: each must resolve, and none may repeat."""
    seen = set()
    for index, slug in enumerate(slugs):
        entry_path = f"{path}[{index}]{suffix}"
        reference(slug, known, entry_path, noun, errors)
        if isinstance(slug, str):
            if slug in seen:
                errors.append(ReportFileError(entry_path, f"{noun} {quoted(slug)} is listed twice"))
            seen.add(slug)
