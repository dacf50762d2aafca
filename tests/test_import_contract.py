"""The import contract of the app's packages, read from the source (no module is imported):

- the layers point one way: `reviewapp` → `monitoring` → `versions` → `evidence` → `pathways`,
  never back;
- no view module imports another view module (pages are built from `reviewapp.pages`,
  `reviewapp.panels`, selectors and services);
- views find the object a URL names through the one scoped lookup of its selector
  (`claim_for_user`, …), never with a `get_object_or_404` of their own;
- no import circle, counting imports inside functions too, but for the one exception:
  a task imports the service it runs inside its body (tasks are leaves: services enqueue
  them through `reviewapp.tasks.queue`, which imports the tasks).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pathways", "evidence", "versions", "monitoring", "reviewapp")
LAYER = {"pathways": 0, "evidence": 1, "versions": 2, "monitoring": 3, "reviewapp": 4}


def module_sources(root: Path = ROOT) -> dict[str, str]:
    sources = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            sources[".".join(parts)] = path.read_text()
    return sources


def imports_of(name: str, source: str, known: set[str], *, top_level_only: bool) -> set[str]:
    """The app modules this module imports (`from a import b` counts a.b when it is a module)."""
    tree = ast.parse(source)
    nodes = []
    if top_level_only:
        stack = list(tree.body)
        while stack:  # module level, including under if/try, but not inside a def or class
            node = stack.pop()
            if isinstance(node, ast.Import | ast.ImportFrom):
                nodes.append(node)
            elif isinstance(node, ast.If | ast.Try):
                stack += node.body + node.orelse + getattr(node, "finalbody", []) + getattr(node, "handlers", [])
            elif isinstance(node, ast.ExceptHandler):
                stack += node.body
    else:
        nodes = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = name.split(".")[: -node.level] if not source_is_package(name, known) else name.split(".")
                base = ".".join([*package, base] if base else package)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def source_is_package(name: str, known: set[str]) -> bool:
    return any(other.startswith(name + ".") for other in known)


def import_graph(sources: dict[str, str], *, top_level_only: bool) -> dict[str, set[str]]:
    known = set(sources)
    return {name: imports_of(name, source, known, top_level_only=top_level_only) for name, source in sources.items()}


def contract_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Every import, at module level or in a function, except those in task bodies."""
    known = set(sources)
    return {
        name: imports_of(name, source, known, top_level_only=name.startswith("reviewapp.tasks"))
        for name, source in sources.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def views_importing_views(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    def is_view(module: str) -> bool:
        return module.startswith("reviewapp.views.")

    return sorted(
        (module, other) for module, others in graph.items() if is_view(module) for other in others if is_view(other)
    )


def layer_breaches(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (module, other)
        for module, others in graph.items()
        for other in others
        if LAYER[other.split(".")[0]] > LAYER[module.split(".")[0]]
    )


# ------------------------------------------------------------------ the app's own tree


def views_finding_their_own_objects(sources: dict[str, str]) -> list[str]:
    """View modules that import Django's `get_object_or_404` (or `get_list_or_404`)."""
    found = []
    for name, source in sorted(sources.items()):
        if not name.startswith("reviewapp.views"):
            continue
        for node in ast.walk(ast.parse(source)):
            imported = {alias.name for alias in node.names} if isinstance(node, ast.ImportFrom) else set()
            if imported & {"get_object_or_404", "get_list_or_404"} and node.module == "django.shortcuts":
                found.append(name)
                break
    return found


def test_the_layers_point_one_way():
    assert layer_breaches(import_graph(module_sources(), top_level_only=False)) == []


def test_no_view_module_imports_another():
    assert views_importing_views(import_graph(module_sources(), top_level_only=False)) == []


def test_views_find_objects_through_the_selectors_lookups():
    assert views_finding_their_own_objects(module_sources()) == []


def test_there_is_no_import_circle():
    assert circles(contract_graph(module_sources())) == []


def test_the_tree_read_is_the_whole_app():
    sources = module_sources()
    assert {"reviewapp.views.reading", "reviewapp.pages", "reviewapp.panels", "reviewapp.tasks.queue"} <= set(sources)
    assert "reviewapp.tasks.queue" in import_graph(sources, top_level_only=True)["reviewapp.services.notifications"]


# ------------------------------------------------------------------ the checks themselves


def test_the_checks_find_a_circle_a_view_importing_a_view_and_a_layer_breach():
    sources = {
        "reviewapp.views.a": "from reviewapp.views import b\n",
        "reviewapp.views.b": "def f():\n    from reviewapp.services import s\n",
        "reviewapp.views.c": "def g():\n    from django.shortcuts import get_object_or_404, render\n",
        "reviewapp.views": "",
        "reviewapp.services": "",
        "reviewapp.services.s": "def enqueue():\n    from reviewapp.tasks import t\n",
        "reviewapp.services.u": "from reviewapp.tasks import q\n",
        "reviewapp.tasks": "",
        "reviewapp.tasks.t": "from reviewapp.services.s import thing\n",
        "reviewapp.tasks.q": "def run():\n    from reviewapp.services import u\n",
        "pathways.m": "from evidence import e\n",
        "evidence.e": "",
        "evidence": "",
    }
    every = import_graph(sources, top_level_only=False)
    assert views_importing_views(every) == [("reviewapp.views.a", "reviewapp.views.b")]
    assert views_finding_their_own_objects(sources) == ["reviewapp.views.c"]
    assert layer_breaches(every) == [("pathways.m", "evidence"), ("pathways.m", "evidence.e")]
    # a service importing a task inside a function, which imports it back: a circle; a task
    # importing its service inside its body: the allowed exception
    assert circles(contract_graph(sources)) == [["reviewapp.services.s", "reviewapp.tasks.t"]]
