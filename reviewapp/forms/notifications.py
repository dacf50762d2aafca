"""The form of a person's notification choices: one delivery per kind of notification.

It offers only the kinds that can reach the person (an external reviewer is never told of
a team's requests or of verdicts to authors), and checks only what was sent: every kind
offered answered with a known delivery, and nothing named that is not one of them. Saving
is `notification_preferences_set`'s.
"""

from django import forms
from django.core.exceptions import ValidationError

from reviewapp.enums import Delivery, NotificationKind, notification_kinds_for
from reviewapp.services.notifications import DEFAULT_DELIVERY

# The kinds as the settings page sets them out, under a heading each.
KIND_GROUPS = [
    (
        "Information requests",
        [
            NotificationKind.REQUEST_FILED,
            NotificationKind.REQUEST_ANSWERED,
            NotificationKind.REQUEST_FOLLOWED_UP,
            NotificationKind.REQUEST_DECLINED,
            NotificationKind.REQUEST_DUE_SOON,
            NotificationKind.REQUEST_OVERDUE,
        ],
    ),
    ("Discussion", [NotificationKind.MENTION, NotificationKind.THREAD_REPLY]),
    (
        "Verdicts and sign-off",
        [NotificationKind.VERDICT_RECORDED, NotificationKind.VERDICT_STALE, NotificationKind.SIGNOFF_RECORDED],
    ),
    ("Findings", [NotificationKind.FINDING_RAISED, NotificationKind.FINDING_ANSWERED]),
    ("Mitigation roadmap", [NotificationKind.ROADMAP_DUE_SOON, NotificationKind.ROADMAP_OVERDUE]),
    ("Post-deployment monitoring", [NotificationKind.WARNING_SIGN_REOPENED]),
]

# Short enough for a select in a table row; the page says what each one means.
DELIVERY_CHOICES = [
    (Delivery.IMMEDIATELY.value, "Immediately"),
    (Delivery.DIGEST.value, "In the daily digest"),
    (Delivery.OFF.value, "Not at all"),
]


class NotificationPreferencesForm(forms.Form):
    prefix = "delivery"

    def __init__(self, *args, current: dict[str, str], user, **kwargs):
        super().__init__(*args, initial=current, **kwargs)
        self.kinds = notification_kinds_for(user)
        for kind in map(NotificationKind, self.kinds):
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=DELIVERY_CHOICES,
                help_text=f"Default: {dict(DELIVERY_CHOICES)[DEFAULT_DELIVERY[kind]].lower()}.",
                error_messages={
                    "required": "Choose how you hear of this.",
                    "invalid_choice": "That is not one of the choices: immediately, in the daily digest, "
                    "or not at all.",
                },
            )

    def clean(self):
        cleaned = super().clean()
        sent = {key.removeprefix(f"{self.prefix}-") for key in self.data if key.startswith(f"{self.prefix}-")}
        unknown = sorted(sent - set(self.fields))
        if unknown:
            names = ", ".join(f"“{name}”" for name in unknown)
            raise ValidationError(
                "Nothing was saved: %(names)s %(verb)s not a kind of notification you can receive.",
                params={"names": names, "verb": "is" if len(unknown) == 1 else "are"},
            )
        return cleaned

    def choices(self) -> dict[str, str]:
        """The valid form's choices as `notification_preferences_set` takes them."""
        return {kind: self.cleaned_data[kind] for kind in self.kinds}

    def groups(self):
        """(heading, bound fields) in the order the page shows them."""
        groups = [
            (heading, [self[kind.value] for kind in kinds if kind in self.kinds]) for heading, kinds in KIND_GROUPS
        ]
        return [(heading, fields) for heading, fields in groups if fields]
