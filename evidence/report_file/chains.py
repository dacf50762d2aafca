"""Detection chains in a report file: the top-level `detection_chains` list
(docs/report-format.md, "Detection chains"), checked, written to the database, read back
for exports and published versions, and cut for a reader.

Rules:
- An entry names its pathway; its steps, in order, each have a role, a text, an owning
  team and optionally the evidence (of the file, each once) that it works. `detector` is
  only for a detection step, `paged` only for a response. Durations (`harm_after`, a
  step's `time`) are written as a whole number and a unit: "45m", "4h", "2d".
- Every text is plain (no redaction spans): a chain or step above a reader's level is left
  out whole, never redacted.
- On import a chain is matched by slug and changed in place, its steps by position; a step
  or chain gone from the file is deleted, unless reviewers' findings are about it (then the
  import is refused, naming it). Requests about a deleted step go with it, as requests about
  a deleted claim do.
- A reader reads a chain at or below their level on a pathway they read, and of its steps
  those at or below their level, each with the evidence they read.
"""

import re
from typing import Any

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import OuterRef, Q, QuerySet, RestrictedError, Subquery
from django.db.models.functions import JSONObject

from evidence.chains import StepView, chain_flags, duration
from evidence.enums import Detector, StepRole
from evidence.models import ChainStep, ChainStepEvidence, DetectionChain, Evidence
from evidence.report_file.checks import (
    Key,
    choice,
    column,
    entries,
    is_string,
    listing,
    mapping,
    plain,
    reference,
    references,
    slug_check,
    unique_slugs,
)
from evidence.report_file.reading import ReportFileError, ReportFileInvalid, quoted
from evidence.report_file.saving import Links, changed, items_save
from evidence.report_file.writing import without_empty
from pathways.enums import Sensitivity
from pathways.models import Pathway, Report, Team

SECTION = "detection_chains"
_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhd])")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}


def minutes_of(value: str | None) -> int | None:
    """A checked duration ("4h") in minutes; None for none."""
    if not value:
        return None
    found = _DURATION.fullmatch(value)
    assert found is not None  # checked before
    return int(found[1]) * _UNIT_MINUTES[found[2]]


def _duration_check(value, path, errors):
    if is_string(value, path, errors) and not _DURATION.fullmatch(value):
        errors.append(
            ReportFileError(path, f"{quoted(value)} is not a duration: a whole number and m, h or d, such as 45m or 4h")
        )


def _boolean(value, path, errors):
    if not isinstance(value, bool):
        errors.append(ReportFileError(path, "must be true or false"))


SPEC = Key(
    listing(
        mapping(
            {
                "slug": Key(slug_check, required=True),
                "pathway": Key(plain(), required=True),
                "scenario": Key(column(DetectionChain, "scenario"), required=True),
                "harm_after": Key(_duration_check),
                "sensitivity": Key(choice(Sensitivity)),
                "steps": Key(
                    listing(
                        mapping(
                            {
                                "role": Key(choice(StepRole), required=True),
                                "text": Key(column(ChainStep, "text"), required=True),
                                "owner_team": Key(plain(), required=True),
                                "sensitivity": Key(choice(Sensitivity)),
                                "detector": Key(choice(Detector)),
                                "paged": Key(_boolean),
                                "time": Key(_duration_check),
                                "evidence": Key(listing(plain())),
                            }
                        )
                    )
                ),
            }
        )
    )
)


def check_chains(document: dict, *, pathways: set, teams: set, evidence: set, errors: list[ReportFileError]) -> None:
    """References and role rules of the chains (their shape was checked with `SPEC`)."""
    unique_slugs(document, SECTION, "detection chain", errors)
    for path, entry in entries(document, SECTION):
        reference(entry.get("pathway"), pathways, f"{path}.pathway", "pathway", errors)
        steps = entry.get("steps")
        if not isinstance(steps, list):
            continue
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            step_path = f"{path}.steps[{index}]"
            reference(step.get("owner_team"), teams, f"{step_path}.owner_team", "team", errors)
            if isinstance(step.get("evidence"), list):
                references(step["evidence"], evidence, f"{step_path}.evidence", "evidence", errors)
            role = step.get("role")
            if step.get("detector") is not None and role != StepRole.DETECTION:
                errors.append(ReportFileError(f"{step_path}.detector", "only a detection step says what detects"))
            if step.get("paged") is not None and role != StepRole.RESPONSE:
                errors.append(ReportFileError(f"{step_path}.paged", "only a response step says whether it is paged"))


def chain_entry(
    *, slug: str, pathway: str, scenario: str, harm_after: int | None, sensitivity: str, steps: list[dict]
) -> dict:
    """An entry of the file's `detection_chains`, keys in the format's order; `steps` as
    `_chain_json` reads them."""
    return without_empty(
        {
            "slug": slug,
            "pathway": pathway,
            "scenario": scenario,
            "harm_after": duration(harm_after),
            "sensitivity": sensitivity,
            "steps": [
                without_empty(
                    {
                        "role": step["role"],
                        "text": step["text"],
                        "owner_team": step["owner_team"],
                        "sensitivity": step["sensitivity"],
                        "detector": step["detector"],
                        "paged": step["paged"],
                        "time": duration(step["minutes"]),
                        "evidence": step["evidence"] or [],
                    }
                )
                for step in steps
            ],
        }
    )


def _chain_json(steps: Q | None = None) -> JSONObject:
    """A chain as one JSON value: its fields, its pathway's slug and its steps in order
    (each with its team and the slugs of its evidence)."""
    step = JSONObject(
        role="role",
        text="text",
        sensitivity="sensitivity",
        detector="detector",
        paged="paged",
        minutes="minutes",
        owner_team="owner_team__slug",
        team_name="owner_team__name",
        team_description="owner_team__description",
        evidence=Subquery(
            ChainStepEvidence.objects.filter(step_id=OuterRef("pk"))
            .order_by()
            .values("step_id")
            .annotate(slugs=JSONBAgg("evidence__slug", order_by=("position", "id")))
            .values("slugs")
        ),
    )
    return JSONObject(
        slug="slug",
        pathway="pathway__slug",
        scenario="scenario",
        harm_after="harm_after",
        sensitivity="sensitivity",
        order=JSONObject(position="position", id="id"),
        steps=Subquery(
            ChainStep.objects.filter(steps or Q(), chain_id=OuterRef("pk"))
            .order_by()
            .values("chain_id")
            .annotate(rows=JSONBAgg(step, order_by=("position", "id")))
            .values("rows")
        ),
    )


def pathway_chain_rows() -> Subquery:
    """For each pathway (the outer query's rows), its chains as JSON rows (`entries_of`)."""
    chains = DetectionChain.objects.filter(pathway_id=OuterRef("pk")).order_by().values("pathway_id")
    return Subquery(chains.annotate(rows=JSONBAgg(_chain_json())).values("rows"))


def chain_entries(chains: QuerySet[DetectionChain], steps: Q | None = None) -> tuple[list[dict], dict[str, Team]]:
    """`chains` as file entries, in the authors' order, with their steps (those matching
    `steps`, a filter of a person's scope), and the teams their steps name, by slug (one
    query: each chain carries its steps as JSON)."""
    rows = chains.order_by().annotate(row=_chain_json(steps)).values_list("row", flat=True)
    return entries_of(list(rows))


def entries_of(rows: list[dict]) -> tuple[list[dict], dict[str, Team]]:
    """Chains read as JSON rows, as file entries in the authors' order, and their steps' teams."""
    found, teams = [], {}
    for row in sorted(rows, key=lambda row: (row["order"]["position"], row["order"]["id"])):
        steps = row["steps"] or []
        for step in steps:
            teams[step["owner_team"]] = Team(
                slug=step["owner_team"], name=step["team_name"], description=step["team_description"]
            )
        found.append(
            chain_entry(
                slug=row["slug"],
                pathway=row["pathway"],
                scenario=row["scenario"],
                harm_after=row["harm_after"],
                sensitivity=row["sensitivity"],
                steps=steps,
            )
        )
    return found, teams


def cut_chains(chain_list: list[dict], *, pathways: set[str], evidence: set[str], readable) -> list[dict]:
    """The entries a reader reads: on `pathways`, at a level in `readable`, with the steps at
    a level in `readable`, each listing the `evidence` (slugs) the reader reads."""
    kept = []
    for entry in chain_list:
        if entry["pathway"] not in pathways or entry.get("sensitivity", Sensitivity.PUBLIC) not in readable:
            continue
        steps = [
            without_empty({**step, "evidence": [slug for slug in step.get("evidence", []) if slug in evidence]})
            for step in entry.get("steps", [])
            if step.get("sensitivity", Sensitivity.PUBLIC) in readable
        ]
        kept.append(without_empty({**entry, "steps": steps}))
    return kept


def chain_teams_of(chain_list: list[dict]) -> set[str]:
    """The slugs of the teams the steps of these entries name."""
    return {step["owner_team"] for entry in chain_list for step in entry.get("steps", [])}


def steps_left_out(before: list[dict], kept: list[dict]) -> int:
    """How many steps of the chains kept by `cut_chains` were cut (as above the level)."""
    steps = {entry["slug"]: len(entry.get("steps", [])) for entry in before}
    return sum(steps[entry["slug"]] - len(entry.get("steps", [])) for entry in kept)


def chains_save(
    *,
    report: Report,
    chain_list: list[dict],
    teams: dict[str, Team],
    pathways: dict[str, Pathway],
    evidence: dict[str, Evidence],
) -> None:
    """Bring the report's chains and their steps to the file's (chains gone from the file
    are deleted with the other sections, last)."""
    existing = {chain.slug: chain for chain in DetectionChain.objects.filter(report=report)}
    current = {(step.chain_id, step.position): step for step in ChainStep.objects.filter(chain__report=report)}
    step_evidence = _evidence_slugs(report)
    rows = []
    for position, entry in enumerate(chain_list):
        content = {
            "pathway_id": pathways[entry["pathway"]].id,
            "scenario": entry["scenario"],
            "harm_after": minutes_of(entry.get("harm_after")),
            "sensitivity": entry.get("sensitivity") or Sensitivity.PUBLIC,
        }
        chain = existing.get(entry["slug"])
        steps_changed = chain is not None and _steps_of(chain, current, step_evidence) != _wanted_steps(entry, teams)
        rows.append((entry["slug"], position, content, steps_changed))
    chains = items_save(DetectionChain, existing=existing, report=report, rows=rows)
    links = Links(ChainStepEvidence)
    for entry in chain_list:
        chain = chains[entry["slug"]]
        wanted = entry.get("steps") or []
        for position, step_entry in enumerate(wanted):
            values = _step_values(step_entry, teams)
            step = current.get((chain.pk, position))
            if step is None:
                step = ChainStep.objects.create(chain=chain, position=position, **values)
            elif changed(step, values):
                step.save()
            links.bring(
                owner={"step": step},
                current=list(step.evidence_links.all()) if (chain.pk, position) in current else [],
                target="evidence_id",
                wanted=[{"evidence_id": evidence[slug].id} for slug in step_entry.get("evidence") or []],
            )
        gone = ChainStep.objects.filter(chain=chain, position__gte=len(wanted))
        _steps_delete(gone, chain)
    links.save()


def _step_values(entry: dict, teams: dict[str, Team]) -> dict[str, Any]:
    return {
        "role": entry["role"],
        "text": entry["text"],
        "owner_team_id": teams[entry["owner_team"]].id,
        "sensitivity": entry.get("sensitivity") or Sensitivity.PUBLIC,
        "detector": entry.get("detector") or Detector.NONE,
        "paged": entry.get("paged"),
        "minutes": minutes_of(entry.get("time")),
    }


def _wanted_steps(entry: dict, teams: dict[str, Team]) -> list:
    return [(_step_values(step, teams), list(step.get("evidence") or [])) for step in entry.get("steps") or []]


def _steps_of(chain: DetectionChain, current: dict, step_evidence: dict[int, list[str]]) -> list:
    steps = sorted((step for (chain_id, _), step in current.items() if chain_id == chain.pk), key=lambda s: s.position)
    return [
        (
            {
                "role": step.role,
                "text": step.text,
                "owner_team_id": step.owner_team_id,
                "sensitivity": step.sensitivity,
                "detector": step.detector,
                "paged": step.paged,
                "minutes": step.minutes,
            },
            step_evidence.get(step.pk, []),
        )
        for step in steps
    ]


def _evidence_slugs(report: Report) -> dict[int, list[str]]:
    """Each step's evidence slugs in order, for the report's chains (one query)."""
    slugs: dict[int, list[str]] = {}
    links = ChainStepEvidence.objects.filter(step__chain__report=report).order_by("position", "id")
    for step_id, slug in links.values_list("step_id", "evidence__slug"):
        slugs.setdefault(step_id, []).append(slug)
    return slugs


def _steps_delete(steps: QuerySet[ChainStep], chain: DetectionChain) -> None:
    """Delete the steps gone from the file, unless reviewers' findings are about one of them
    (a finding keeps its subject): then refuse the whole import, naming them."""
    numbers = {step.pk: step.number for step in steps}
    try:
        steps.delete()
    except RestrictedError as refused:
        held = sorted(
            {
                numbers[step_id]
                for row in refused.restricted_objects
                if (step_id := getattr(row, "step_id", None)) in numbers
            }
        )
        listed = ", ".join(str(number) for number in held)
        message = (
            f"step{'s' if len(held) > 1 else ''} {listed} of detection chain {quoted(chain.slug)} cannot be "
            f"removed: reviewers' findings are about {'them' if len(held) > 1 else 'it'}; keep "
            f"{'them' if len(held) > 1 else 'it'} in the file"
        )
        raise ReportFileInvalid([ReportFileError(SECTION, message)]) from None


def chain_paragraphs(entry: dict, team_names: dict[str, str]) -> list[str]:
    """A chain in a Markdown export: its scenario and harm time, what it lacks, and its steps."""
    steps = [
        StepView(
            id=number,
            number=number,
            role=step["role"],
            text=step["text"],
            sensitivity=step.get("sensitivity", Sensitivity.PUBLIC),
            team_name=team_names.get(step["owner_team"], step["owner_team"]),
            detector=step.get("detector", ""),
            paged=step.get("paged"),
            minutes=minutes_of(step.get("time")),
            evidence=[{"slug": slug} for slug in step.get("evidence", [])],
        )
        for number, step in enumerate(entry.get("steps", []), start=1)
    ]
    flags = chain_flags(harm_after=minutes_of(entry.get("harm_after")), steps=steps)
    harm = f"harm cannot be undone after {entry['harm_after']}" if entry.get("harm_after") else "no harm time stated"
    lacks = [f"no {', '.join(flags.missing).lower()} step" if flags.missing else ""]
    lacks += [f"steps {', '.join(map(str, flags.unevidenced))} without evidence" if flags.unevidenced else ""]
    lacks += ["no time to respond" if flags.untimed else ""]
    lacks += [f"the steps take {flags.total}, slower than the harm" if flags.slower else ""]
    lacks = [part for part in lacks if part]
    rows = []
    for step in steps:
        facts = [
            step.team_name,
            step.detector_label.lower(),
            ("" if step.paged is None else "paged" if step.paged else "not paged"),
        ]
        facts += [step.time, ", ".join(f"evidence `{row['slug']}`" for row in step.evidence)]
        rows.append(f"{step.number}. **{step.role_label}:** {step.text} ({' · '.join(fact for fact in facts if fact)})")
    return [
        f"*Detection chain: {entry['scenario']}* (`{entry['slug']}`) — {harm} · "
        f"{Sensitivity(entry.get('sensitivity', Sensitivity.PUBLIC)).label.lower()}",
        f"Flagged: {'; '.join(lacks)}." if lacks else "Complete: every step, each with evidence, faster than the harm.",
        "\n".join(rows),
    ]
