"""Reading a `riskreport/1` file (docs/report-format.md), before its content is checked
(`evidence.report_file.validation`):
- A file is at most 5 MiB and UTF-8; it is refused before parsing otherwise.
- It must parse as YAML (JSON is YAML too) to a mapping. The loader is `yaml.safe_load`'s,
  with one addition: a key written twice in one mapping is an error, not a silent overwrite.
A file that cannot be read raises `ReportFileInvalid`, whose errors each say where and what.
"""

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

FORMAT = "riskreport/1"
MAX_FILE_BYTES = 5 * 1024 * 1024
FILE = "(file)"  # the path of errors about the file as a whole


@dataclass(frozen=True)
class ReportFileError:
    """One problem with a report file: where it is and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ReportFileInvalid(Exception):
    """A report file that cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors: list[ReportFileError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # the C loader where PyYAML was built with libyaml
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """`yaml.safe_load`'s loader, refusing a key written twice in one mapping.

    YAML merge keys (`<<`) may still be overridden, as YAML intends.
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key_node.value}' appears twice in one mapping", key_node.start_mark
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def load_report_file(path_or_text: os.PathLike | str) -> dict:
    """The parsed document of a report file: a path (`pathlib.Path`) is read, a `str` is the text.

    Raises ReportFileInvalid with one error at path `(file)` when the file cannot be read,
    is over 5 MiB, is not UTF-8, is not YAML, is empty, or is not a mapping at the top.
    """
    if isinstance(path_or_text, os.PathLike):
        text = _read_text(Path(path_or_text))
    else:
        text = path_or_text
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise _file_invalid(_too_large())
    try:
        alias = next((event for event in yaml.parse(text, Loader=_Loader) if isinstance(event, yaml.AliasEvent)), None)
        if alias is not None:
            assert alias.start_mark is not None  # the parser marks every event
            line = alias.start_mark.line + 1
            raise _file_invalid(f"YAML aliases (*{alias.anchor} at line {line}) are not allowed: write the value out")
        document = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise _file_invalid(f"not valid YAML: {_yaml_problem(error)}")
    except yaml.YAMLError as error:
        raise _file_invalid(f"not valid YAML: {error}")
    if document is None:
        raise _file_invalid("the file is empty")
    if not isinstance(document, dict):
        raise _file_invalid(not_a_mapping(document))
    return document


def quoted(value: Any, limit: int = 60) -> str:
    """A value for a message, quoted and cut short: a message never repeats a whole long value."""
    text = str(value)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def not_a_mapping(document: Any) -> str:
    return f"the top level must be a mapping (format, report, ...), not {describe(document)}"


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # never more than the limit, whatever the file claims
    except OSError as error:
        raise _file_invalid(f"cannot read {path}: {error.strerror}")
    if len(raw) > MAX_FILE_BYTES:
        raise _file_invalid(_too_large())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _file_invalid(f"not UTF-8 text (byte {error.start} cannot be decoded)")


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """What the YAML parser found, and where: "while scanning a quoted scalar at line 4,
    column 10, found unexpected end of stream at line 6, column 1"."""
    parts = [
        f"{what} at line {mark.line + 1}, column {mark.column + 1}" if mark else what
        for what, mark in ((error.context, error.context_mark), (error.problem, error.problem_mark))
        if what
    ]
    return ", ".join(parts)


def _too_large() -> str:
    return f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, the limit for a report file"


def _file_invalid(message: str) -> ReportFileInvalid:
    return ReportFileInvalid([ReportFileError(FILE, message)])


def describe(value: Any) -> str:
    """A value's kind in YAML words, for messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return quoted(value)
    return type(value).__name__
