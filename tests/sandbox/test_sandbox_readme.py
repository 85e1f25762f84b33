"""The sandbox README's endpoint → test table names every seed endpoint."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _normalised(method: str, path: str) -> tuple[str, str]:
    return method, re.sub(r"\{[^}]*\}", "{}", path)


def test_readme_table_has_a_row_for_every_seed_endpoint():
    readme = (ROOT / "sandbox" / "README.md").read_text()
    rows = set()
    for line in readme.splitlines():
        match = re.match(r"\|\s*`([A-Z/]+) (/[^` ]+)[^`]*`\s*\|\s*\S", line)
        if match:
            for method in match.group(1).split("/"):
                rows.add(_normalised(method, match.group(2)))
    seed = [line.split(" ", 1) for line in (ROOT / "tests/contract/seed_endpoints.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    missing = [f"{m} {p}" for m, p in seed if _normalised(m, p) not in rows]
    assert not missing, f"sandbox/README.md has no row for: {missing}"
