"""What changed between two readings of a report: two versions, or a version and the
working draft, each already cut to one reader (`versions.reading.cut`).

Rule: only cut documents are compared, so a reader never learns of a change to what they
cannot read — an item out of their scope or above their level is in neither side, and a
change inside a redacted span leaves `[redacted]` on both sides — not even by a count.
"""

from dataclasses import dataclass, field

from pathways.text import redact

# The fields compared, per kind, in the order a page shows them.
FIELDS = {
    "report": ("title", "model", "version", "evidence_cutoff", "summary"),
    "conclusion": ("risk_level", "text"),
    "pathway": ("title", "critical_action", "argument", "claims"),
    "claim": ("statement", "category", "owner_team", "sensitivity", "rationale", "evidence"),
    "evidence": ("title", "kind", "owner_team", "sensitivity", "summary", "source"),
    "line": (
        "title", "pathway", "kind", "stage", "owner_team", "sensitivity", "strength", "strength_reason", "claims",
        "evidence",
    ),
    "chain": ("scenario", "pathway", "harm_after", "sensitivity", "steps"),
}  # fmt: skip
TEXTS = {"summary", "text", "critical_action", "argument", "rationale", "strength_reason"}


@dataclass(frozen=True)
class Change:
    """One item added, removed or changed; `fields` is {name: {"before", "after"}} of the
    fields that differ (every field present, for an item added or removed)."""

    kind: str
    slug: str
    label: str
    state: str  # added | removed | changed
    fields: dict = field(default_factory=dict)
    pathway: str = ""  # a conclusion's, line's or chain's pathway slug ("" for the overall conclusion)


def _value(entry: dict, name: str, level: str):
    value = entry.get(name)
    if name in TEXTS:
        return redact(value or "", level)
    if name == "evidence":  # a claim's links with their relation; a line's, slugs alone
        return [
            link if isinstance(link, str) else f"{link['evidence']} ({link.get('relation', 'supports')})"
            for link in value or []
        ]
    if name == "claims":
        return list(value or [])
    if name == "steps":  # a chain's steps, one line each
        return [_step_line(step) for step in value or []]
    return "" if value is None else str(value)


def _step_line(step: dict) -> str:
    facts = [step["owner_team"], step.get("sensitivity", "public"), step.get("detector", ""), step.get("time", "")]
    facts += ["paged" if step.get("paged") else "not paged" if step.get("paged") is False else ""]
    facts += [f"evidence {', '.join(step['evidence'])}" if step.get("evidence") else ""]
    return f"{step['role']}: {step['text']} ({'; '.join(fact for fact in facts if fact)})"


def _compare(kind: str, slug: str, label: str, before: dict | None, after: dict | None, level: str, **extra):
    if before == after:  # most items of a report, and an item in neither: nothing to read
        return None
    old = {name: _value(before or {}, name, level) for name in FIELDS[kind]}
    new = {name: _value(after or {}, name, level) for name in FIELDS[kind]}
    differing = {
        name: {"before": old[name] if before else None, "after": new[name] if after else None}
        for name in FIELDS[kind]
        if old[name] != new[name]
    }
    if before is None:
        return Change(kind, slug, label, "added", differing, **extra)
    if after is None:
        return Change(kind, slug, label, "removed", differing, **extra)
    return Change(kind, slug, label, "changed", differing, **extra) if differing else None


def _by_slug(document: dict, section: str) -> dict:
    return {entry["slug"]: entry for entry in document.get(section, [])}


def _in_order(before: dict, after: dict) -> list[str]:
    """The slugs of both, in the newer reading's order, then those only in the older."""
    return [*after, *(slug for slug in before if slug not in after)]


def changes(before: dict, after: dict, level: str) -> list[Change]:
    """What changed from `before` to `after` (both cut for one reader at `level`): the
    report, the overall conclusion, then each pathway with its conclusion, each claim, each
    evidence item, each line of defence and each detection chain, in the newer reading's order."""
    found: list[Change | None] = [
        _compare("report", "", "The report", before.get("report"), after.get("report"), level),
        _compare(
            "conclusion",
            "",
            "The overall conclusion",
            before.get("report", {}).get("conclusion"),
            after.get("report", {}).get("conclusion"),
            level,
        ),
    ]
    for section, kind, name in (("pathways", "pathway", "title"), ("claims", "claim", "statement")):
        old, new = _by_slug(before, section), _by_slug(after, section)
        for slug in _in_order(old, new):
            entry = new.get(slug) or old[slug]
            found.append(_compare(kind, slug, entry.get(name, slug), old.get(slug), new.get(slug), level))
            if kind == "pathway":
                label = f"Conclusion on {entry.get('title', slug)}"
                found.append(
                    _compare(
                        "conclusion",
                        slug,
                        label,
                        (old.get(slug) or {}).get("conclusion"),
                        (new.get(slug) or {}).get("conclusion"),
                        level,
                        pathway=slug,
                    )
                )
    old, new = _by_slug(before, "evidence"), _by_slug(after, "evidence")
    for slug in _in_order(old, new):
        entry = new.get(slug) or old[slug]
        found.append(_compare("evidence", slug, entry.get("title", slug), old.get(slug), new.get(slug), level))
    old, new = _by_slug(before, "lines_of_defence"), _by_slug(after, "lines_of_defence")
    for slug in _in_order(old, new):
        entry = new.get(slug) or old[slug]
        found.append(
            _compare(
                "line", slug, entry.get("title", slug), old.get(slug), new.get(slug), level, pathway=entry["pathway"]
            )
        )
    old, new = _by_slug(before, "detection_chains"), _by_slug(after, "detection_chains")
    for slug in _in_order(old, new):
        entry = new.get(slug) or old[slug]
        found.append(
            _compare("chain", slug, entry["scenario"], old.get(slug), new.get(slug), level, pathway=entry["pathway"])
        )
    return [change for change in found if change is not None]
