"""core/ is the shared library: it may use Django, third-party packages and the project
(`portal`), never a domain app. Every import is read, including lazy ones inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

CORE = Path(settings.BASE_DIR) / "core"


def domain_apps() -> set[str]:
    """Top-level packages of the installed apps that live in this repository, but the project."""
    base = Path(settings.BASE_DIR).resolve()
    local = {config.name.split(".")[0] for config in apps.get_app_configs()
             if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts}
    return local - {"portal"}


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


def test_the_domain_apps_are_known():
    assert {"assistants", "testing", "knowledge", "conversations", "inference", "mcp_servers",
            "integrations", "sandbox"} <= domain_apps()


def test_core_imports_no_domain_app():
    forbidden = domain_apps()
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
