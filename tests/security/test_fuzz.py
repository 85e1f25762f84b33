"""Hypothesis fuzz of every form and every changelist query string: no answer is a 5xx.

The forms are the ones the portal renders (found by crawling it over the demo seed, so
hidden fields such as a change form tool row's JSON `original` are included). Each POST body
keeps, drops, repeats or replaces each field with junk: empty, huge and negative numbers,
unicode, control characters, long text, JSON of the wrong shape. Each changelist gets `q`,
`sort`, `o`, `page` and its filter names with the same junk, repeated keys included.
Derandomized: the same examples on every run.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.security.crawl import crawl_with_caches
from tests.security.html_forms import Form, forms_on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

JUNK = ("", " ", "0", "-1", "1e23", "99999999999999999999999999", "-99999999999", "NaN", "1.5", "☃ü\u202e𝔘",
        "\x00", "\r\n", "x" * 3000, "[]", "[1, 2]", '"text"', "{}", '{"a": null}', "null", "true",
        "<script>", "../..", "%00", "2026-13-45T25:61", "a,b,c")
QUERY_KEYS = ("q", "sort", "o", "page", "per_page")
# Forms whose success ends the session or the objects the other forms need: fuzzed last.
ENDING = ("delete", "/action/", "disable", "cancel", "active", "role", "password", "logout", "restore", "promote", "rollback")
FUZZ = settings(max_examples=6, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))


WRONG_JSON = ("[1, 2]", '"text"', "null", "{}", "1e23", "{")


def field_values(rendered: list[str], choices: list[str]):
    """Half the time the field as rendered (so the form gets past its other fields), else junk."""
    one = st.one_of(st.sampled_from(JUNK), st.text(max_size=12), *([st.sampled_from(choices)] if choices else []))
    return st.one_of(st.just(rendered), st.lists(one, min_size=0, max_size=2))  # 0: left out; 2: repeated


def wrong_json_bodies(form: Form) -> list[dict]:
    """The form as rendered but one hidden JSON field (a tool row's `original`) of the wrong shape."""
    json_fields = [name for name in form.hidden if any(v.lstrip()[:1] in ("{", "[") for v in form.fields[name])]
    return [{**form.fields, name: [junk]} for name in json_fields for junk in WRONG_JSON]


def bodies(form: Form):
    names = sorted(set(form.fields) | set(form.choices))
    return st.fixed_dictionaries({name: field_values(form.fields.get(name, []), form.choices.get(name, []))
                                  for name in names})


def queries(keys: list[str]):
    pair = st.tuples(st.sampled_from(keys), st.one_of(st.sampled_from(JUNK), st.text(max_size=12)))
    return st.lists(pair, min_size=1, max_size=5)


def rendered_forms(client, pages: list[str]) -> dict[tuple[str, str], Form]:
    found: dict[tuple[str, str], Form] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for form in forms_on(response.content.decode(), page):
                found.setdefault((form.method, form.action), form)
    return found


def test_no_form_body_or_changelist_query_gets_a_5xx(sandbox, team_admin_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    client = team_admin_client
    client.raise_request_exception = False  # a 500 is a finding to list
    pages = crawl_with_caches(client)
    forms = rendered_forms(client, pages)
    posts = sorted((f for (method, _), f in forms.items() if method == "POST" and "/logout/" not in f.action),
                   key=lambda f: (any(word in f.action for word in ENDING), f.action))
    lists = sorted({f.action: f for (method, _), f in forms.items() if method == "GET"}.values(), key=lambda f: f.action)
    assert len(posts) >= 40 and len(lists) >= 10
    failures: list[str] = []

    for form in posts:
        @FUZZ
        @given(body=bodies(form))
        def post_form(body):
            response = client.post(form.action, body)
            assert response.status_code < 500, f"POST {form.action} {body!r} → {response.status_code}"

        failures += _run(post_form)
        for body in wrong_json_bodies(form):
            response = client.post(form.action, body)
            if response.status_code >= 500:
                failures.append(f"POST {form.action} {body!r}"[:400] + f" → {response.status_code}")

    for form in lists:
        keys = sorted(set(QUERY_KEYS) | set(form.fields) | set(form.choices))

        @FUZZ
        @given(query=queries(keys))
        def query_list(query):
            url = f"{form.action}?{urlencode(query)}"
            response = client.get(url)
            assert response.status_code < 500, f"GET {url[:300]} → {response.status_code}"

        failures += _run(query_list)
    assert not failures, f"{len(failures)} of {len(posts)} forms and {len(lists)} lists gave a 5xx:\n" + "\n".join(failures)


def _run(check) -> list[str]:
    try:
        check()
    except AssertionError as exc:
        return [str(exc).splitlines()[0][:400]]
    return []
