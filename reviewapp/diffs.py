"""Readable diffs of report text for change histories and conflict views: word-level,
as (kind, text) segments that templates render escaped inside <ins> and <del>."""

import difflib
import re

from evidence.enums import EvidenceKind
from pathways.enums import ClaimCategory, ReportStatus, RiskLevel, Sensitivity

FIELD_LABELS = {
    "status": "Status",
    "title": "Title",
    "critical_action": "Critical action",
    "argument": "Argument",
    "risk_level": "Risk level",
    "text": "Conclusion",
    "statement": "Statement",
    "rationale": "Rationale",
    "category": "Category",
    "kind": "Kind",
    "sensitivity": "Sensitivity",
    "owner_team": "Owning team",
    "readers_through_the_team": "Members of the new owning team, who read the report through it",
    "source": "Source",
    "summary": "Summary",
    "pathways": "Pathways that rest on it",
    "evidence": "Evidence",
    "evidence_links": "Evidence",
}


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def _merge(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for kind, text in segments:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        elif text:
            merged.append((kind, text))
    return merged


def _word_diff(before: str, after: str) -> list[tuple[str, str]]:
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    segments = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(old[i1:i2])))
        else:
            segments.append(("delete", "".join(old[i1:i2])))
            segments.append(("insert", "".join(new[j1:j2])))
    return _merge(segments)


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(line) for line in value)
    return str(value)


def text_diff(before, after, *, context: int = 2) -> list[dict]:
    """A readable diff: lines compared, changed lines compared word by word, long runs of
    unchanged lines folded. Each line is {"kind", "segments": [(kind, text)]} with kind
    equal, insert or delete; a fold is {"kind": "skip", "skipped": n}. Text stays text: the
    template escapes it, so nothing written by a person is ever marked safe."""
    old, new = as_text(before).splitlines(), as_text(after).splitlines()
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [{"kind": "equal", "segments": [("equal", line)]} for line in old[i1:i2]]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            lines.append({"kind": "changed", "segments": _word_diff(old[i1 + offset], new[j1 + offset])})
        lines += [{"kind": "delete", "segments": [("delete", line)]} for line in old[i1 + paired : i2]]
        lines += [{"kind": "insert", "segments": [("insert", line)]} for line in new[j1 + paired : j2]]
    lines = [line for line in lines if any(text.strip() for _, text in line["segments"])]
    keep = set()
    for index, line in enumerate(lines):
        if line["kind"] != "equal":
            keep.update(range(index - context, index + context + 1))
    folded, skipped = [], 0
    for index, line in enumerate(lines):
        if index in keep:
            if skipped:
                folded.append({"kind": "skip", "skipped": skipped})
                skipped = 0
            folded.append(line)
        else:
            skipped += 1
    if skipped:
        folded.append({"kind": "skip", "skipped": skipped})
    return folded


# Stored values are the database's ("very_low"); the history shows the words ("Very low").
FIELD_CHOICES = {
    "status": dict(ReportStatus.choices),
    "risk_level": dict(RiskLevel.choices),
    "category": dict(ClaimCategory.choices),
    "sensitivity": dict(Sensitivity.choices),
    "kind": dict(EvidenceKind.choices),
}


def change_rows(changes: dict) -> list[dict]:
    """One row per changed field, in the order the page shows the fields."""
    order = list(FIELD_LABELS)
    rows = []
    for name in sorted(changes, key=lambda name: (order.index(name) if name in order else len(order), name)):
        change = changes[name] if isinstance(changes[name], dict) else {}
        before, after = change.get("before"), change.get("after")
        if name in FIELD_CHOICES:
            before, after = FIELD_CHOICES[name].get(before, before), FIELD_CHOICES[name].get(after, after)
        rows.append(
            {
                "label": FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                "before": as_text(before),
                "after": as_text(after),
                "diff": text_diff(before, after),
            }
        )
    return rows
