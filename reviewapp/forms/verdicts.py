"""Forms for verdicts and sign-off. They check what a person typed; who may do what is
decided in the views and services."""

from django import forms

from reviewapp.enums import Position, SignOffDecision

POSITION_GLYPHS = {
    Position.CONCUR: "✓",
    Position.CONCUR_WITH_RESERVATIONS: "◐",
    Position.DISSENT: "✕",
    Position.ABSTAIN: "–",
}


class VerdictForm(forms.Form):
    position = forms.ChoiceField(
        label="Your organisation's position",
        choices=Position.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a position."},
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required unless you concur. Markdown. Every organisation that can see this conclusion "
        "reads it, external reviewers included; wrap material they must not see in [[internal]]…[[/internal]].",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, conclusion, **kwargs):
        kwargs.setdefault("initial", {})["revision"] = conclusion.revision
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_verdict_{conclusion.pk}_%s"

    def clean(self):
        cleaned = super().clean()
        position = cleaned.get("position")
        if position and position != Position.CONCUR and not (cleaned.get("rationale") or "").strip():
            self.add_error("rationale", "Say why: a rationale is required unless you concur.")
        return cleaned


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=SignOffDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The reasons for the decision and any conditions. Markdown.",
    )
    override = forms.BooleanField(
        label="I understand that what is listed above is not done, and I record this decision anyway.",
        required=False,
    )
    override_reason = forms.CharField(
        label="Why sign off without them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required with the override; it is kept with the sign-off and shown to everyone who reads it.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The published version the decider read: a newer one published meanwhile refuses the decision.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_signoff_%s"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == SignOffDecision.APPROVE_WITH_CONDITIONS and not cleaned.get("note", "").strip():
            self.add_error("note", "Write down the conditions of the approval.")
        if cleaned.get("override") and not cleaned.get("override_reason", "").strip():
            self.add_error("override_reason", "Say why you sign off without waiting for what is listed.")
        return cleaned
