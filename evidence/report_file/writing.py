"""Writing a report file's data out: the YAML every export writes, and the redaction
summary an export states (docs/report-format.md, "Export")."""

import yaml

from evidence.report_file.reading import FORMAT
from pathways.text import REDACTED, redact


def redacted_span_count(text: str, level: str) -> int:
    """How many spans of `text` a reader at `level` sees as `[redacted]`.

    Counted on the redacted text, after taking out any `[redacted]` the author typed, so
    it agrees with `redact` however the spans are written (malformed spans fail closed
    there, and are counted as they are redacted).
    """
    return redact(text.replace(REDACTED, "\u00b7"), level).count(REDACTED)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def redaction_summary(
    *,
    level: str,
    redacted: int,
    claims_above_level: int,
    evidence_above_level: int,
    limited_to_granted_pathways: bool,
    lines_above_level: int = 0,
    chains_above_level: int = 0,
    steps_above_level: int = 0,
) -> dict:
    """What an export left out, as counts and as the sentence its Markdown states at the top."""
    parts = []
    if redacted:
        parts.append(f"{_plural(redacted, 'passage')} redacted")
    above = [
        _plural(count, noun, plural)
        for count, noun, plural in (
            (claims_above_level, "claim", None),
            (evidence_above_level, "evidence item", None),
            (lines_above_level, "line of defence", "lines of defence"),
            (chains_above_level, "detection chain", None),
            (steps_above_level, "chain step", None),
        )
        if count
    ]
    if above:
        listed = " and ".join(above) if len(above) < 3 else f"{', '.join(above[:-1])} and {above[-1]}"
        parts.append(f"{listed} above level {level} left out")
    if limited_to_granted_pathways:
        parts.append("only the pathways granted to the requester are included, with what rests on them")
    text = "Redaction summary: " + ("; ".join(parts) if parts else "nothing redacted or left out") + "."
    return {
        "level": level,
        "redacted_spans": redacted,
        "claims_above_level": claims_above_level,
        "evidence_above_level": evidence_above_level,
        "lines_above_level": lines_above_level,
        "chains_above_level": chains_above_level,
        "steps_above_level": steps_above_level,
        "limited_to_granted_pathways": limited_to_granted_pathways,
        "text": text,
    }


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, `|` for multi-line text, and never an alias."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style where a block cannot hold the text exactly, but it
    # writes the Unicode line breaks NEL, LS and PS raw, and reads them back as "\n" or " ".
    style: str | None
    if any(line_break in text for line_break in "\x85\u2028\u2029"):  # noqa: SIM108 - three cases read better apart
        style = '"'
    else:
        style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_multi_representer(str, _represent_text)  # TextChoices members are str subclasses


def without_empty(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in ("", None, [], {})}


def document_yaml(document: dict, *, level: str) -> str:
    """A report file's data as the YAML an export writes, with the line that states its level."""
    header = (
        f"# {FORMAT} export of '{document['report']['slug']}' for readers at level {level}: "
        f"items above it are left out, and {REDACTED} marks text above it.\n"
    )
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf"))
