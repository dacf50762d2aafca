"""What the forms share: a search by every word, how many items a search lists, and the
marks a field with errors carries for assistive technology."""

from django.db.models import Q

# How many evidence items a search in a form (the claim editor, the answer form) lists at
# most, besides those already chosen.
EVIDENCE_FOUND_LIMIT = 20


def every_word_in(text: str, *fields: str) -> Q:
    """Rows holding every word of `text`, each in one of `fields`, case ignored (all rows
    for a text of no words)."""
    wanted = Q()
    for word in text.split():
        one_of = Q()
        for name in fields:
            one_of |= Q(**{f"{name}__icontains": word})
        wanted &= one_of
    return wanted
