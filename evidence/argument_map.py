"""The argument as a picture: pathways → lines of defence → claims → evidence, drawn as SVG
on the server.

A `Graph` holds only what one reader may see: it is built either from the live report
under a person's scope (`reviewapp.selectors.argument`, with verdicts and open findings)
or from a report file already cut to a level (`evidence.report_file.figures`, for the PDF
exports). This
module draws whatever it is given and reads nothing itself, so the picture cannot show
more than its builder let in. Every label is escaped, and an SVG carries no text that is
not drawn: a node's tooltip (`<title>`) repeats its own label in full, nothing else.

The layout is the project's own, in four columns. Lines keep their pathway's order; claims
are ordered by the mean rank of what rests on them, evidence by the mean rank of the claims
and lines citing it (one barycentre pass, which keeps most edges short). The tallest column
is spaced evenly; every other column sits as near as it can to the nodes it is linked to.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLUMNS = ("pathway", "line", "claim", "evidence")
COLUMN_TITLES = {"pathway": "Pathways", "line": "Lines of defence", "claim": "Claims", "evidence": "Evidence"}
# A claim that this many pathways rest on (or more) is drawn as load-bearing.
LOAD_BEARING = 3

NODE_WIDTH, NODE_HEIGHT, ROW, GAP, PAD, TOP = 200, 24, 30, 44, 12, 74
LABEL_CHARS = 31  # what fits a node at 11.5px

# Verdict colours (fill, stroke); a pathway with no verdict yet is drawn in the plain blue.
VERDICT_COLOURS = {
    "concur": ("#e3f1e6", "#2d7a46"),
    "reservations": ("#fdf3d7", "#9a6b00"),
    "dissent": ("#f9e0dd", "#b3261e"),
    "none": ("#eaf0f8", "#1f4e8c"),
}
STRENGTH_COLOURS = {"strong": "#2d7a46", "moderate": "#9a6b00", "weak": "#b3261e"}
RELATION_COLOURS = {"supports": "#6b8f71", "undermines": "#b3261e", "context": "#9aa3ad"}
UNDERMINED, FINDINGS = "#b3261e", "#c2410c"


@dataclass
class Node:
    column: str
    key: str
    label: str
    href: str = ""
    verdict: str = "none"  # pathways: concur, reservations, dissent or none
    verdict_text: str = ""  # pathways: the verdicts, in words, for the tooltip
    strength: str = ""  # lines
    resting: int = 0  # claims: how many of the reader's pathways rest on it
    undermined: bool = False  # claims: visible evidence undermines it
    open_findings: int = 0
    evidence_count: int = 0  # claims: the evidence items it cites (set when drawn)
    more: bool = False  # the box standing for the items a crowded column leaves out
    x: float = 0
    y: float = 0

    @property
    def load_bearing(self) -> bool:
        return self.column == "claim" and self.resting >= LOAD_BEARING


@dataclass(frozen=True)
class Edge:
    source: tuple[str, str]
    target: tuple[str, str]
    relation: str = ""  # claim → evidence: supports, undermines or context


@dataclass
class Graph:
    nodes: dict[tuple[str, str], Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    review_marks: bool = False  # verdicts and findings are drawn (the live report, not an export)
    left_out: dict[str, int] = field(default_factory=dict)  # a condensed column: how many it leaves out
    _linked: set[Edge] = field(default_factory=set, repr=False)

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault((node.column, node.key), node)

    def link(self, source: tuple[str, str], target: tuple[str, str], relation: str = "") -> None:
        edge = Edge(source, target, relation)
        if source in self.nodes and target in self.nodes and edge not in self._linked:
            self._linked.add(edge)
            self.edges.append(edge)

    def rest(self, pathway: str, claim: str, lines: list[str]) -> None:
        """A pathway rests on a claim: through each of its lines that rests on it, or
        straight from the pathway when none does."""
        for line in lines:
            self.link(("line", line), ("claim", claim))
        if not lines:
            self.link(("pathway", pathway), ("claim", claim))

    def drop(self, keys: set[tuple[str, str]]) -> None:
        for key in keys:
            del self.nodes[key]
        self.edges = [edge for edge in self.edges if edge.source not in keys and edge.target not in keys]
        self._linked = set(self.edges)

    def column(self, name: str) -> list[Node]:
        """The column's item boxes, in the order they were added (not the box for the rest)."""
        return [node for node in self.nodes.values() if node.column == name and not node.more]

    def boxes(self, name: str) -> list[Node]:
        """Every box of the column, the one for the rest included (last)."""
        return [node for node in self.nodes.values() if node.column == name]

    def total(self, name: str) -> int:
        """How many items the column stands for: those drawn and those a condensed column left out."""
        return len(self.column(name)) + self.left_out.get(name, 0)


def verdict_of(positions: list[str]) -> str:
    """One colour for a conclusion's current verdicts: any dissent, else any reservation, else concur."""
    if "dissent" in positions:
        return "dissent"
    if "concur_with_reservations" in positions:
        return "reservations"
    return "concur" if "concur" in positions else "none"


# ---------------------------------------------------------------------- a crowded column

COLUMN_LIMIT = 60  # more boxes than this in a column and the picture stops being readable
MORE_NOUNS = {"claim": ("claim", "claims"), "evidence": ("evidence item", "evidence items")}


def condense(graph: Graph, column: str, *, limit: int = COLUMN_LIMIT, href: str = "") -> None:
    """Keeps a column of claims or evidence to `limit` boxes: the claims most relied on (the
    pathways resting on them, open findings, undermined), the evidence most cited (and any
    undermining); one box says how many more there are and leads to their list (`href`).
    Evidence left citing nothing drawn goes with its claims. Once is enough: a condensed
    column is left as it is."""
    nodes = graph.column(column)
    if len(nodes) <= limit or column in graph.left_out:
        return
    incoming = Counter(edge.target for edge in graph.edges)
    undermining = {edge.target for edge in graph.edges if edge.relation == "undermines"}

    def weight(pair):
        index, node = pair
        if column == "claim":
            return (-node.resting, -node.open_findings, not node.undermined, index)
        return (-incoming[("evidence", node.key)], ("evidence", node.key) not in undermining, index)

    left_out = {(node.column, node.key) for _, node in sorted(enumerate(nodes), key=weight)[limit:]}
    graph.drop(left_out)
    if column == "claim":
        still_cited = {edge.target for edge in graph.edges}
        graph.drop({(node.column, node.key) for node in graph.column("evidence")} - still_cited)
    graph.left_out[column] = len(left_out)
    one, many = MORE_NOUNS[column]
    label = f"+ {len(left_out)} more {one if len(left_out) == 1 else many}"
    graph.add(Node(column, "+more", label, href=href, more=True))


# ------------------------------------------------------------------------------- layout


def layout(graph: Graph) -> tuple[list[str], float, float]:
    """Places every node (its `x`, `y`); returns the drawn columns, the width and the height."""
    columns = [name for name in COLUMNS if graph.boxes(name)]
    parents: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    neighbours: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for edge in graph.edges:
        parents[edge.target].append(edge.source)
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    order: dict[str, list[Node]] = {}
    rank: dict[tuple[str, str], float] = {}
    for name in columns:
        nodes = graph.boxes(name)  # in the order they were added
        if name != "pathway":

            def barycentre(pair, parents=parents):
                index, node = pair
                ranks = [rank[parent] for parent in parents[(node.column, node.key)] if parent in rank]
                return (sum(ranks) / len(ranks) if ranks else 2.0, index)

            nodes = [node for _, node in sorted(enumerate(nodes), key=barycentre)]
        order[name] = nodes
        for index, node in enumerate(nodes):
            rank[(node.column, node.key)] = index / max(len(nodes) - 1, 1)
    tallest = max(columns, key=lambda name: len(order[name]))
    placed: set[tuple[str, str]] = set()
    for index, node in enumerate(order[tallest]):
        node.y = TOP + index * ROW
        placed.add((node.column, node.key))
    at = columns.index(tallest)
    outward = sorted(range(len(columns)), key=lambda index: (abs(index - at), index))[1:]
    for index in outward:
        _place(order[columns[index]], graph, neighbours, placed)
    height = max(node.y for node in graph.nodes.values()) + NODE_HEIGHT + PAD
    for index, name in enumerate(columns):
        for node in order[name]:
            node.x = PAD + index * (NODE_WIDTH + GAP)
    width = PAD * 2 + len(columns) * NODE_WIDTH + (len(columns) - 1) * GAP
    return columns, width, height


def _place(nodes: list[Node], graph: Graph, neighbours, placed: set) -> None:
    """Each node as near as it can be to the mean height of its placed neighbours, keeping
    the column's order and a row apart: the least-squares fit under those constraints
    (pool-adjacent-violators on the heights less their row offsets), never above the top."""
    wanted: list[float] = []
    for node in nodes:
        near = [graph.nodes[key].y for key in neighbours[(node.column, node.key)] if key in placed]
        wanted.append(sum(near) / len(near) if near else (wanted[-1] + ROW if wanted else TOP))
    blocks: list[list[float]] = []  # [sum, count] of pooled offsets, non-decreasing
    for index, y in enumerate(wanted):
        blocks.append([y - index * ROW, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    offsets = [total / count for total, count in blocks for _ in range(int(count))]
    lift = max(0.0, TOP - offsets[0]) if offsets else 0.0
    for index, node in enumerate(nodes):
        node.y = offsets[index] + lift + index * ROW
        placed.add((node.column, node.key))


# -------------------------------------------------------------------------------- drawing


def _label(text: str, *, bold: bool = False) -> str:
    """The label cut to what fits the node (bold letters are wider)."""
    fits = LABEL_CHARS - 3 if bold else LABEL_CHARS
    text = " ".join(str(text).split())
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def _node_svg(node: Node) -> str:
    fill, stroke, width, weight = "#ffffff", "#5b6470", "1", "normal"
    if node.column == "pathway":
        fill, stroke = VERDICT_COLOURS.get(node.verdict, VERDICT_COLOURS["none"])
        width, weight = "1.5", "bold"
    elif node.column == "line":
        fill, stroke = "#f4f1ea", STRENGTH_COLOURS.get(node.strength, "#5b6470")
    elif node.column == "evidence":
        fill, stroke = "#f6f7f8", "#9aa3ad"
    if node.load_bearing:
        width, weight = "3", "bold"
    if node.undermined:
        stroke = UNDERMINED
    dash = ""
    if node.more:
        fill, stroke, dash = "#fbfaf7", "#7a838d", ' stroke-dasharray="3 2"'
    tooltip = [node.label]
    if node.evidence_count:
        tooltip.append(f"cites {node.evidence_count} evidence item{'s' if node.evidence_count != 1 else ''}")
    if node.strength:
        tooltip.append(f"strength: {node.strength.replace('_', ' ')}")
    if node.verdict_text:
        tooltip.append(node.verdict_text)
    if node.load_bearing:
        tooltip.append(f"load-bearing: {node.resting} pathways rest on it")
    if node.undermined:
        tooltip.append("undermined by evidence")
    if node.open_findings:
        tooltip.append(f"{node.open_findings} open finding{'s' if node.open_findings != 1 else ''}")
    parts = [
        f'<g class="map-node map-{node.column}"><title>{escape(" · ".join(tooltip))}</title>',
        f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="4" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>',
    ]
    if node.undermined:
        parts.append(f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="5" height="{NODE_HEIGHT}" fill="{UNDERMINED}"/>')
    parts.append(
        f'<text x="{node.x + 9:.0f}" y="{node.y + 16:.0f}" font-size="11.5" font-weight="{weight}" '
        f'fill="#1d232b">{escape(_label(node.label, bold=weight == "bold"))}</text>'
    )
    if node.open_findings:
        cx, cy = node.x + NODE_WIDTH - 2, node.y + 2
        parts.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="8" fill="{FINDINGS}"/>')
        parts.append(
            f'<text x="{cx:.0f}" y="{cy + 3.5:.0f}" font-size="9" font-weight="bold" fill="#ffffff" '
            f'text-anchor="middle">{min(node.open_findings, 99)}</text>'
        )
    parts.append("</g>")
    body = "".join(parts)
    return f'<a href="{escape(node.href)}">{body}</a>' if node.href else body


def _edge_svg(edge: Edge, graph: Graph) -> str:
    source, target = graph.nodes[edge.source], graph.nodes[edge.target]
    x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT / 2
    x2, y2 = target.x, target.y + NODE_HEIGHT / 2
    bend = (x2 - x1) / 2
    colour = RELATION_COLOURS.get(edge.relation, "#aab2bc")
    dash = ' stroke-dasharray="4 3"' if edge.relation == "undermines" else ""
    return (
        f'<path d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
        f'fill="none" stroke="{colour}" stroke-width="1.2"{dash}/>'
    )


def _legend(graph: Graph) -> str:
    items: list[tuple[str, str]] = [
        (f'<rect width="14" height="10" fill="#ffffff" stroke="{UNDERMINED}" stroke-width="1.5"/>', "undermined"),
        ('<rect width="14" height="10" fill="#ffffff" stroke="#5b6470" stroke-width="3"/>', "load-bearing"),
        (f'<line x1="0" y1="5" x2="14" y2="5" stroke="{UNDERMINED}" stroke-dasharray="4 3"/>', "undermining link"),
        (f'<rect width="14" height="10" fill="#f4f1ea" stroke="{STRENGTH_COLOURS["weak"]}"/>', "weak line"),
    ]
    if graph.review_marks:
        items = [
            (f'<rect width="14" height="10" fill="{fill}" stroke="{stroke}"/>', label)
            for label, (fill, stroke) in (
                ("concur", VERDICT_COLOURS["concur"]),
                ("reservations", VERDICT_COLOURS["reservations"]),
                ("dissent", VERDICT_COLOURS["dissent"]),
                ("no current verdict", VERDICT_COLOURS["none"]),
            )
        ] + items
        items.append((f'<circle cx="7" cy="5" r="6" fill="{FINDINGS}"/>', "open findings"))
    parts, x = [], PAD
    for swatch, label in items:
        parts.append(f'<g transform="translate({x},{PAD})">{swatch}')
        parts.append(f'<text x="19" y="10" font-size="10.5" fill="#3b4450">{escape(label)}</text></g>')
        x += 30 + len(label) * 6
    return "".join(parts)


def draw(graph: Graph, *, title: str, more_href: dict[str, str] | None = None) -> SafeString:
    """The graph as an SVG element (every text escaped here), scaled to the width it is given;
    a crowded column is condensed first (`condense`, which changes the graph)."""
    if not graph.nodes:
        return mark_safe("")
    cited = Counter(edge.source for edge in graph.edges if edge.source[0] == "claim" and edge.target[0] == "evidence")
    for node in graph.column("claim"):
        node.evidence_count = cited[("claim", node.key)]
    for column in ("claim", "evidence"):
        condense(graph, column, href=(more_href or {}).get(column, ""))
    columns, width, height = layout(graph)
    heads = "".join(
        f'<text x="{PAD + index * (NODE_WIDTH + GAP):.0f}" y="{TOP - 14}" font-size="12" font-weight="bold" '
        f'fill="#3b4450">{escape(COLUMN_TITLES[name])} ({graph.total(name)})</text>'
        for index, name in enumerate(columns)
    )
    edges = "".join(_edge_svg(edge, graph) for edge in graph.edges)
    nodes = "".join(_node_svg(node) for node in graph.nodes.values())
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="argument-map" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">'
        f"<title>{escape(title)}</title>{_legend(graph)}{heads}<g>{edges}</g><g>{nodes}</g></svg>"
    )
    return mark_safe(svg)  # every text in it went through escape above
