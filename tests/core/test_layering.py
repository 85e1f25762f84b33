"""The floor plan, from the ground up: `portal` (settings, urls, the Celery app, the Telnyx
client, roles, its own tables) -> `core` (the shared library, tasks and template tags) -> the
domain apps -> `console` (the site-wide pages). A file imports only its own floor and the floors
below, and no two files of ours import each other, however long the loop. Every import is read,
including lazy ones inside functions and those under `if TYPE_CHECKING:`."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CORE = BASE / "core"
GROUND, LIBRARY, TOP = "portal", "core", "console"


def local_apps() -> set[str]:
    """Top-level packages of the installed apps that live in this repository."""
    base = BASE.resolve()
    return {config.name.split(".")[0] for config in apps.get_app_configs()
            if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts}


def domain_apps() -> set[str]:
    return local_apps() - {GROUND, LIBRARY, TOP}


def floor(app: str) -> int:
    return {GROUND: 0, LIBRARY: 1, TOP: 3}.get(app, 2)


def imported_modules(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def domain_imports(path: Path, forbidden: set[str]) -> list[str]:
    return [f"{path.name}:{line} imports {module}"
            for line, module in imported_modules(path.read_text()) if module.split(".")[0] in forbidden]


def source_files(root: Path):
    """An app's modules, migrations left out (they name models only)."""
    return [path for path in sorted(root.rglob("*.py")) if "migrations" not in path.parts]


def module_name(path: Path, base: Path) -> str:
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(base: Path, packages) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (`from a import b` names module a.b where it is one)."""
    files = {module_name(path, base): path for package in packages for path in source_files(base / package)}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name in files}
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(anchor + ([module] if module else []))
                for alias in node.names:
                    if f"{module}.{alias.name}" in files:
                        edges.add(f"{module}.{alias.name}")
                    elif module in files:
                        edges.add(module)
        graph[name] = edges - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every set of modules that import each other round a loop (Tarjan's strongly connected
    components of more than one module)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_floors_are_known():
    assert {GROUND, LIBRARY, TOP} <= local_apps()


def test_every_file_imports_only_its_floor_and_the_floors_below():
    ours = local_apps()
    upward = [f"{path.relative_to(BASE)}:{line} imports {module}"
              for app in sorted(ours) for path in source_files(BASE / app)
              for line, module in imported_modules(path.read_text())
              if module.split(".")[0] in ours and floor(module.split(".")[0]) > floor(app)]
    assert upward == []


def test_portal_imports_nothing_of_ours():
    ours = local_apps() - {GROUND}
    found = [hit for path in source_files(BASE / GROUND) for hit in domain_imports(path, ours)]
    assert found == []


def test_no_two_files_of_ours_import_each_other():
    assert circles(import_graph(BASE, sorted(local_apps()))) == []


def test_a_circle_through_a_lazy_or_relative_import_is_caught(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (package / "c.py").write_text("from pkg.a import x\n")
    (package / "d.py").write_text("from pkg import a\n")
    assert circles(import_graph(tmp_path, ["pkg"])) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_domain_apps_are_known():
    assert {"assistants", "testing", "knowledge", "conversations", "inference", "mcp_servers",
            "integrations", "sandbox"} <= domain_apps()


def test_core_imports_no_domain_app():
    forbidden = domain_apps() | {TOP}
    found = [hit for path in sorted(CORE.rglob("*.py")) for hit in domain_imports(path, forbidden)]
    assert found == []


def test_a_lazy_domain_import_inside_a_function_is_caught(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from assistants.models import Assistant\n    import testing.selectors\n")
    assert domain_imports(module, {"assistants", "testing"}) == [
        "lazy.py:2 imports assistants.models", "lazy.py:3 imports testing.selectors"]


def app_imports(app: str, apps_: set[str]) -> dict[str, list[str]]:
    """Which other domain apps `app` imports, and where (migrations left out: they name models only)."""
    found: dict[str, list[str]] = {}
    root = Path(settings.BASE_DIR) / app
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, module in imported_modules(path.read_text()):
            top = module.split(".")[0]
            if top in apps_ and top != app:
                found.setdefault(top, []).append(f"{path.relative_to(settings.BASE_DIR)}:{line}")
    return found


def test_no_two_domain_apps_import_each_other():
    """An app built on another (releases and testing on assistants) adds to its pages through
    `assistants.hooks`, registered from its AppConfig.ready(); the base app never imports it back."""
    apps_ = domain_apps()
    graph = {app: app_imports(app, apps_) for app in apps_}
    cycles = [f"{a} ⇄ {b}: {graph[a][b][0]} / {graph[b][a][0]}"
              for a in sorted(apps_) for b in sorted(apps_) if a < b and b in graph[a] and a in graph[b]]
    assert cycles == []


def test_assistants_imports_no_releases_or_testing_module():
    assert {"releases", "testing"} & set(app_imports("assistants", domain_apps())) == set()


def test_releases_and_testing_register_their_panels_on_the_assistant_pages():
    from assistants import hooks

    assert "releases/_canary_plan_card.html" in [p.template for p in hooks._panels["canary"]]
    assert "releases/_promotion_check.html" in [p.template for p in hooks._panels["promote"]]
    assert "testing/_version_suites_panel.html" in [p.template for p in hooks._panels["version"]]
    assert hooks._gates, "releases' promotion gate is registered"


# Views read through their app's selectors (database only), never the ORM directly. Left here,
# each with its reason; shrink the list, never grow it.
ORM_IN_VIEWS_ALLOWED: set[str] = set()


def views_modules() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = []
    for app in sorted(domain_apps() | {TOP}):
        if app == "sandbox":  # the emulator: its views are Telnyx's server side, its models its own state
            continue
        root = base / app
        found += [p for p in root.rglob("*.py") if "views" in p.stem or "views" in p.parent.name]
    return [p for p in found if "migrations" not in p.parts]


def orm_reads(path: Path) -> list[str]:
    """Lines using a model manager (`X.objects.`): reads belong in selectors.py, writes in services."""
    return [f"{path.name}:{node.lineno}" for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "objects"]


def test_views_read_the_database_through_selectors():
    base = Path(settings.BASE_DIR)
    found = {str(p.relative_to(base)): hits for p in views_modules() if (hits := orm_reads(p))}
    assert set(found) - ORM_IN_VIEWS_ALLOWED == set(), found


def test_the_allowed_list_names_only_modules_that_still_need_it():
    base = Path(settings.BASE_DIR)
    still = {str(p.relative_to(base)) for p in views_modules() if orm_reads(p)}
    assert ORM_IN_VIEWS_ALLOWED <= still


def test_an_orm_read_in_a_view_is_caught(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def v(request):\n    return Thing.objects.filter(pk=1).first()\n")
    assert orm_reads(module) == ["views.py:2"]


def test_no_app_imports_the_sandbox():
    """The sandbox stands in for Telnyx over HTTP: the portal reaches it by URL (and its webhook
    key through settings), never by importing it, so turning it off takes nothing with it."""
    found = [hit for app in sorted(local_apps() - {"sandbox"})
             for path in source_files(BASE / app) for hit in domain_imports(path, {"sandbox"})]
    assert found == []
