"""Forms for authors' edits in place. Each carries, as a hidden field, the version of the
thing it started from; the services compare it and refuse a save over a newer version.

Choices come from what the editor can see in this report, so a forged pathway or evidence
id (another report's, say) is an invalid choice and the whole edit is refused.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from evidence.enums import EvidenceKind, Relation
from evidence.services.editing import EVIDENCE_MARKDOWN_FIELDS, EVIDENCE_PLAIN_FIELDS
from pathways.audit import ACTIONS
from pathways.enums import ClaimCategory, RiskLevel, Sensitivity
from pathways.models import Pathway, Team
from pathways.services import (
    CLAIM_MARKDOWN_FIELDS,
    CONCLUSION_MARKDOWN_FIELDS,
    PATHWAY_MARKDOWN_FIELDS,
    text_errors,
)
from reviewapp.forms.common import EVIDENCE_FOUND_LIMIT, every_word_in

MARKDOWN_HELP = (
    "Markdown. Text that reviewers or the public must not read goes in [[internal]]…[[/internal]] "
    "or [[reviewer]]…[[/reviewer]]; spans do not nest and must be closed."
)


class TextField(forms.CharField):
    """Text as typed, except that browsers' CRLF line ends become LF: saving unchanged text
    must not look like a change (it would make verdicts on a conclusion stale)."""

    def __init__(self, *, required=False, rows=None, **kwargs):
        widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
        super().__init__(required=required, strip=False, widget=widget, **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value):
        if self.required and not value.strip():
            raise ValidationError(self.error_messages["required"], code="required")


def markdown_field(label, rows=12):
    return TextField(label=label, rows=rows, help_text=MARKDOWN_HELP)


class EditForm(forms.Form):
    """What every edit form shares: the version it started from, span checks, error marks."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": "This form lost the version it started from: open the editor again."},
    )
    markdown_fields: tuple = ()
    plain_fields: tuple = ()

    def clean(self):
        cleaned = super().clean()
        names = [name for name in (*self.markdown_fields, *self.plain_fields) if name in self.fields]
        present = {name: cleaned.get(name) for name in names}
        for name, messages in text_errors(present, markdown=self.markdown_fields, plain=self.plain_fields).items():
            for message in messages:
                self.add_error(name, message)
        return cleaned

    def restart_from(self, version: int) -> None:
        """After a conflict: the same typed text, now based on the version that is saved."""
        self.data = self.data.copy()
        self.data["version"] = str(version)

    def changed_text(self) -> dict:
        """The values typed, by field name, for the conflict view."""
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "version"}


class PathwayEditForm(EditForm):
    """One section of a pathway: its critical action or its argument."""

    SECTIONS = {"critical-action": "critical_action", "argument": "argument"}
    markdown_fields = PATHWAY_MARKDOWN_FIELDS

    critical_action = markdown_field("Critical action", rows=5)
    argument = markdown_field("Argument", rows=24)

    def __init__(self, *args, section: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.SECTIONS[section]
        for name in self.SECTIONS.values():
            if name != keep:
                del self.fields[name]


class ConclusionEditForm(EditForm):
    markdown_fields = CONCLUSION_MARKDOWN_FIELDS

    risk_level = forms.ChoiceField(label="Risk level", choices=RiskLevel.choices)
    text = markdown_field("Conclusion", rows=8)


class EvidenceLinksField(forms.Field):
    """The evidence a claim cites: one select per cited (or found) evidence item, all named
    `evidence_links`, each posting "<evidence id>:<relation>", or "" for not cited. Cleans
    to a list of (evidence item, relation), each item read from `evidence_items` (the items
    of the report the editor can see), so a forged or foreign id is refused."""

    widget = forms.MultipleHiddenInput  # never rendered as such: the template draws the table

    def __init__(self, *, evidence_items, **kwargs):
        self.evidence_items = evidence_items
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        chosen = []
        for choice in value or []:
            if not choice:
                continue
            evidence_id, _, relation = str(choice).partition(":")
            if not evidence_id.isdigit() or relation not in Relation.values:
                raise ValidationError("One of the evidence items is not in this report, or its relation is unknown.")
            chosen.append((int(evidence_id), relation))
        if len({evidence_id for evidence_id, _ in chosen}) != len(chosen):
            raise ValidationError("Each evidence item is cited once, with one relation.")
        by_id = self.evidence_items.in_bulk([evidence_id for evidence_id, _ in chosen]) if chosen else {}
        if len(by_id) != len(chosen):
            raise ValidationError("One of the evidence items is not in this report, or its relation is unknown.")
        return [(by_id[evidence_id], relation) for evidence_id, relation in chosen]


class ClaimEditForm(EditForm):
    markdown_fields = CLAIM_MARKDOWN_FIELDS
    plain_fields = ("statement",)

    statement = TextField(
        label="Statement", required=True, rows=3, help_text="Plain text, shown to everyone who sees the claim."
    )
    rationale = markdown_field("Rationale", rows=10)
    category = forms.ChoiceField(label="Category", choices=ClaimCategory.choices)
    sensitivity = forms.ChoiceField(
        label="Sensitivity",
        choices=Sensitivity.choices,
        help_text="Who may read the claim: public, reviewers (external included) or internal staff only.",
    )
    owner_team = forms.ModelChoiceField(
        label="Owning team",
        queryset=Team.objects.none(),
        empty_label=None,
        help_text="The members of the team that owns a claim read this whole report, internal material "
        "included, to answer requests about it: giving the claim to another team gives its members that. "
        "Only teams that already own something in this report are offered.",
    )
    pathways = forms.ModelMultipleChoiceField(
        label="Pathways that rest on this claim",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pathways, evidence_items, teams, **kwargs):
        """`pathways`: the pathways the editor sees (the page's column), in order;
        `evidence_items`: the evidence of the report the editor sees (a queryset: a report
        may hold thousands, and only those cited or searched for are read); `teams`, the
        teams the claim may be given to (`evidence.selectors.report_teams`)."""
        super().__init__(*args, **kwargs)
        # What a posted id is checked against; the choices shown are built once from lists,
        # where the fields would otherwise query again each time they render.
        self.fields["pathways"].queryset = Pathway.objects.filter(pk__in=[pathway.pk for pathway in pathways])
        self.fields["pathways"].choices = [(pathway.pk, pathway.title) for pathway in pathways]
        self.fields["owner_team"].queryset = teams
        self.fields["owner_team"].choices = [(team.pk, team.name) for team in teams]
        self.evidence_items = evidence_items
        self.fields["evidence_links"] = EvidenceLinksField(label="Evidence", evidence_items=evidence_items)

    @classmethod
    def initial_for(cls, claim, *, pathway_ids, evidence_links) -> dict:
        return {
            "version": claim.version,
            "statement": claim.statement,
            "rationale": claim.rationale,
            "category": claim.category,
            "sensitivity": claim.sensitivity,
            "owner_team": claim.owner_team_id,
            "pathways": list(pathway_ids),
            "evidence_links": [f"{link.evidence_id}:{link.relation}" for link in evidence_links],
        }

    def chosen_relations(self) -> dict[int, str]:
        """Evidence id → relation, as typed (or as saved), for the ids that are numbers."""
        chosen = {}
        for choice in self["evidence_links"].value() or []:
            evidence_id, _, relation = str(choice).partition(":")
            if evidence_id.isdigit():
                chosen[int(evidence_id)] = relation
        return chosen

    def evidence_rows(self, search: str = "") -> dict:
        """What the evidence table shows: `cited`, (item, relation) for each item cited as
        typed or as saved (one that is set back to "not cited" stays until saved); `found`,
        (item, "") for up to EVIDENCE_FOUND_LIMIT items not cited whose title or slug holds
        every word of `search`; `more_found` when more match than are shown."""
        chosen = self.chosen_relations()
        kept = [int(value) for value in self.data.getlist("evidence_shown") if value.isdigit()] if self.is_bound else []
        shown_ids = list(dict.fromkeys([*chosen, *kept]))
        items = self.evidence_items.in_bulk(shown_ids) if shown_ids else {}
        cited = [(items[pk], chosen.get(pk, "")) for pk in shown_ids if pk in items]
        found, more = [], False
        search = search.strip()
        if search:
            matching = self.evidence_items.exclude(pk__in=shown_ids).filter(every_word_in(search, "title", "slug"))
            matches = list(matching.order_by("position", "id")[: EVIDENCE_FOUND_LIMIT + 1])
            found, more = [(item, "") for item in matches[:EVIDENCE_FOUND_LIMIT]], len(matches) > EVIDENCE_FOUND_LIMIT
        return {"cited": cited, "found": found, "more_found": more, "search": search}


class EvidenceEditForm(EditForm):
    markdown_fields = EVIDENCE_MARKDOWN_FIELDS
    plain_fields = EVIDENCE_PLAIN_FIELDS

    title = TextField(label="Title", required=True, max_length=300)
    kind = forms.ChoiceField(label="Kind", choices=EvidenceKind.choices)
    sensitivity = forms.ChoiceField(label="Sensitivity", choices=Sensitivity.choices)
    source = TextField(
        label="Source", max_length=500, help_text="Where the artefact lives: a document or system reference."
    )
    summary = markdown_field("Summary", rows=12)


ACTION_LABELS = {
    "pathways.report.status_changed": "Report status changed",
    "pathways.pathway.changed": "Pathway edited",
    "pathways.claim.changed": "Claim edited",
    "pathways.access.team_given_claim": "Claim given to another team (its members read the report)",
    "pathways.access.granted": "Access given or changed",
    "pathways.access.revoked": "Access taken away",
    "pathways.access.invited": "Someone invited",
    "pathways.access.invitation_withdrawn": "Invitation withdrawn",
    "pathways.access.invitation_accepted": "Invitation accepted",
    "pathways.conclusion.changed": "Conclusion edited",
    "evidence.evidence.changed": "Evidence edited",
    "evidence.evidence.confirmed": "Carried-forward evidence confirmed",
    "evidence.evidence.replaced": "Carried-forward evidence replaced",
    "evidence.report.started_from": "Report started from the previous model's",
    "reviewapp.roadmap.added": "Mitigation put on the roadmap",
    "reviewapp.roadmap.changed": "Mitigation on the roadmap changed",
}


APP_LABELS = {
    "pathways": "The report, its content and who has access: status, pathways, claims, conclusions, grants",
    "evidence": "Evidence and information requests",
    "reviewapp": "Review: comments, verdicts, findings, the mitigation roadmap, sign-off",
    "versions": "Published versions",
    "monitoring": "Warning signs from post-deployment monitoring",
}


def action_label(action: str) -> str:
    """A human name for an action: "evidence.request.answered" reads "Request answered"."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    parts = action.split(".")
    words = " ".join(parts[1:] if len(parts) > 1 else parts).replace("_", " ")
    return words[:1].upper() + words[1:]


class AuditFilterForm(forms.Form):
    """Filters for a report's audit log: by kind of action (every action the app writes,
    grouped by app and by kind of thing), by person, by date range. A person is found by
    name or username (a report's log may name a thousand)."""

    action = forms.ChoiceField(label="Action", required=False)
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=150,
        strip=True,
        help_text="A name or username, or part of one.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = sorted(ACTIONS)
        choices = [("", "Any action")]
        for app in sorted({action.split(".")[0] for action in actions if "." in action}):
            choices.append((app, APP_LABELS.get(app, f"Everything in {app}")))
            in_app = [action for action in actions if action.startswith(app + ".")]
            choices += [(action, f"— {action_label(action)}") for action in in_app if action.count(".") == 1]
            for group in sorted({action.rsplit(".", 1)[0] for action in in_app} - {app}):
                noun = group.split(".")[-1].replace("_", " ")
                choices.append((group, f"— every {noun} action"))
                choices += [
                    (action, f"—— {action_label(action)}") for action in in_app if action.startswith(group + ".")
                ]
        choices += [(action, action_label(action)) for action in actions if "." not in action]
        self.fields["action"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "The end of the range is before its start.")
        return cleaned

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("action"):
            entries = entries.filter(Q(action=data["action"]) | Q(action__startswith=data["action"] + "."))
        if data.get("person"):
            entries = entries.filter(
                every_word_in(data["person"], "actor__username", "actor__first_name", "actor__last_name")
            )
        if data.get("date_from"):
            entries = entries.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(created_at__date__lte=data["date_to"])
        return entries
