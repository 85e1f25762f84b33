"""Proof that the sandbox serves every seed endpoint and the SDK contract suite drives each.

Runs last in tests/contract (file order), after the scenario tests have recorded which
sandbox routes they exercised; under bin/test, alone after the parallel run, reading what each
process left in TEST_RECORD_DIR.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.contract.conftest import EXERCISED, exercised_elsewhere, route_template

SEED_ENDPOINTS = [
    tuple(line.split(" ", 1))
    for line in (Path(__file__).with_name("seed_endpoints.txt")).read_text().splitlines()
    if line and not line.startswith("#")
]


@pytest.mark.parametrize("method, path", SEED_ENDPOINTS, ids=[f"{m} {p}" for m, p in SEED_ENDPOINTS])
def test_sandbox_routes_every_seed_endpoint(db, method, path):
    concrete = path.replace("{", "x-").replace("}", "")
    response = Client().generic(
        method, f"/sandbox/v2{concrete}", data="{}", content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {settings.SANDBOX_API_KEY}",
    )
    # Unknown ids may give Telnyx's 404 envelope or a 4xx; never the router's 404 or a 405.
    assert response.status_code != 405, f"{method} {path}: method not allowed"
    if response.status_code == 404:
        detail = json.loads(response.content)["errors"][0]["detail"]
        assert "No sandbox endpoint" not in detail, f"{method} {path}: not routed"


def test_every_seed_endpoint_was_driven_through_the_official_sdk(request):
    contract_files = {p.name for p in Path(__file__).parent.glob("test_contract_*.py")}
    # bin/test runs the contract files in parallel processes and this check alone afterwards.
    exercised_there, ran_there = exercised_elsewhere(os.environ.get("TEST_RECORD_DIR"))
    ran = {Path(str(item.fspath)).name for item in request.session.items} | ran_there
    if not contract_files <= ran:
        pytest.skip("only meaningful when the whole contract suite runs")
    exercised = {(method, template) for method, template in EXERCISED} | exercised_there
    missing = [f"{m} {p}" for m, p in SEED_ENDPOINTS if (m, route_template(p)) not in exercised]
    assert not missing, f"seed endpoints no contract test drives: {missing}"
