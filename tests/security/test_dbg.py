import pytest
from django.core.management import call_command
from tests.security.html_forms import forms_on
pytestmark = pytest.mark.django_db(transaction=True)
def test_dbg(sandbox, team_admin_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    c = team_admin_client
    for p in ("/assistants/refresh/", "/testing/tests/refresh/", "/knowledge/buckets/refresh/", "/testing/suites/refresh/"):
        c.post(p)
    from assistants.models import Assistant
    a = Assistant.objects.get(name="Acme Support").telnyx_id
    for page in ("/assistants/add/", "/mcp-servers/add/", "/testing/tests/add/", f"/assistants/{a}/change/", f"/assistants/{a}/canary/", "/testing/suites/support/", "/knowledge/buckets/acme-policies/"):
        for f in forms_on(c.get(page).content.decode(), page):
            if f.method == "POST":
                print("FORM", page, f.action, {k: (v[0][:40] if v else v) for k, v in f.fields.items()}, {k: v[:4] for k, v in f.choices.items()})
