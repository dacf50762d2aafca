"""When a pathway's lines of defence are independent of one another.

Rule: two lines of one pathway are dependent when they rest on a common claim or evidence
item, or have the same owning team: one failing (a claim found false, an evidence item
withdrawn, a team stretched) can take the other down with it. A pathway's independent
lines are the largest set of its lines of which no two are dependent; a pathway with fewer
than two is flagged, however many lines it lists.

Independence is computed from what the reader can see of the lines (their claims and
evidence cut by the scope functions), so that it never hints at a claim or evidence item
above them: a reader below a shared item's level sees the lines as sharing only what they
can read.
"""

from dataclasses import dataclass, field

# Above this many lines of one pathway the largest independent set is found greedily (a
# lower bound); an argument has a handful of lines, and the exact search doubles with each.
EXACT_UP_TO = 20


@dataclass(frozen=True)
class Basis:
    """What one line rests on: its id, owning team and the ids of its claims and evidence."""

    line_id: int
    team_id: int
    claim_ids: frozenset = frozenset()
    evidence_ids: frozenset = frozenset()


@dataclass(frozen=True)
class Shared:
    """What two lines have in common: claim ids, evidence ids, and whether their team."""

    claim_ids: frozenset = frozenset()
    evidence_ids: frozenset = frozenset()
    team: bool = False

    def __bool__(self) -> bool:
        return bool(self.claim_ids or self.evidence_ids or self.team)


def shared(one: Basis, other: Basis) -> Shared:
    return Shared(
        claim_ids=one.claim_ids & other.claim_ids,
        evidence_ids=one.evidence_ids & other.evidence_ids,
        team=one.team_id == other.team_id,
    )


@dataclass
class Independence:
    """A pathway's lines as independence sees them: for each line the others it depends on
    and what they share, and how many lines are independent of one another."""

    dependencies: dict[int, dict[int, Shared]] = field(default_factory=dict)
    independent: int = 0
    exact: bool = True  # False above EXACT_UP_TO lines: `independent` is then at least that many

    @property
    def flagged(self) -> bool:
        """Fewer than two independent lines: one failure could leave the pathway undefended."""
        return self.independent < 2


def independence(lines: list[Basis]) -> Independence:
    dependencies: dict[int, dict[int, Shared]] = {line.line_id: {} for line in lines}
    for index, one in enumerate(lines):
        for other in lines[index + 1 :]:
            common = shared(one, other)
            if common:
                dependencies[one.line_id][other.line_id] = common
                dependencies[other.line_id][one.line_id] = common
    ids = [line.line_id for line in lines]
    return Independence(
        dependencies=dependencies,
        independent=_largest_independent_set(ids, dependencies),
        exact=len(ids) <= EXACT_UP_TO,
    )


def _largest_independent_set(ids: list[int], dependencies: dict[int, dict[int, Shared]]) -> int:
    if len(ids) > EXACT_UP_TO:
        chosen: set[int] = set()
        for line_id in sorted(ids, key=lambda line_id: len(dependencies[line_id])):
            if not chosen & dependencies[line_id].keys():
                chosen.add(line_id)
        return len(chosen)

    def largest(remaining: frozenset) -> int:
        if not remaining:
            return 0
        line_id = min(remaining)
        with_it = 1 + largest(remaining - {line_id} - dependencies[line_id].keys())
        if not remaining & dependencies[line_id].keys():  # depends on none left: always in a largest set
            return with_it
        return max(with_it, largest(remaining - {line_id}))

    return largest(frozenset(ids))
