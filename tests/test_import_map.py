"""The import map: no circle of imports inside workshop/, and in tui/ only the app and its help.

A circle is a group of modules that each reach all the others by importing; grimp records every
import, one inside a function (a lazy import) and one for type checking alike. The help screen
lists the app's own keys and the app opens the help screen: that pair is the one circle kept.
"""

from __future__ import annotations

import grimp
import pytest

ALLOWED = [{"tui.app", "tui.screens.help"}]


def circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Every group of two or more modules importing each other, found by Tarjan's algorithm
    (without recursion, so a long chain of imports cannot overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        while work:
            module, imported = work[-1]
            target = next(imported, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = set(stack[stack.index(module) :])
                    del stack[stack.index(module) :]
                    if len(group) > 1:
                        found.append(group)
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
            elif target in stack:
                low[module] = min(low[module], index[target])
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("workshop", "tui", cache_dir=None)


def test_circles_are_found_through_a_lazy_import() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")]:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="")
    graph.add_import(importer="e", imported="d", line_number=9, line_contents="    import d")
    assert sorted(map(sorted, circles(graph))) == [["a", "b", "c"], ["d", "e"]]


def test_no_circle_inside_workshop(graph: grimp.ImportGraph) -> None:
    assert [group for group in circles(graph) if any(m.startswith("workshop") for m in group)] == []


def test_in_tui_only_the_app_and_its_help_import_each_other(graph: grimp.ImportGraph) -> None:
    assert circles(graph) == ALLOWED
