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
