"""What `evidence` does when the argument it rests on changes underneath it.

A line of defence rests only on claims its pathway rests on (the report file checks it on
import). When a claim stops resting on a pathway (an author edits the claim's pathways in
the app, `pathways.services`, which cannot know of lines), the lines of that pathway stop
resting on the claim too, in the same transaction; a line left with nothing shows so on its
pathway's page."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from evidence.models import DefenceClaim
from pathways.models import PathwayClaim


@receiver(post_delete, sender=PathwayClaim, dispatch_uid="evidence-lines-follow-pathway-claims")
def lines_stop_resting_on_a_claim_their_pathway_left(sender, instance: PathwayClaim, **kwargs) -> None:
    DefenceClaim.objects.filter(claim_id=instance.claim_id, line__pathway_id=instance.pathway_id).delete()
