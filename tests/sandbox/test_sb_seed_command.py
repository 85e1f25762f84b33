"""The sandbox_seed command: idempotent demo, reset, bulk."""

import io

import pytest
from django.core.management import CommandError, call_command

from sandbox.models import SbAssistant, SbCanaryDeploy, SbConversation, SbTestRun, SbVersion


def _seed(*args):
    out = io.StringIO()
    call_command("sandbox_seed", *args, stdout=out)
    return out.getvalue()


def test_demo_is_idempotent_and_reset_recreates(db):
    _seed("--demo")
    assert SbAssistant.objects.count() == 8
    assert SbCanaryDeploy.objects.count() == 1
    assert all(a.versions.count() >= 1 for a in SbAssistant.objects.all())
    assert SbVersion.objects.count() > 8
    conversations = SbConversation.objects.count()
    assert "already present" in _seed("--demo")
    assert SbConversation.objects.count() == conversations
    _seed("--reset", "--demo")
    assert SbAssistant.objects.count() == 8


def test_demo_canary_version_serves_some_conversations(db):
    _seed("--demo")
    canary = SbCanaryDeploy.objects.get()
    canary_version = canary.rules[0]["serve"]["rollout"][0]["version_id"]
    assert SbConversation.objects.filter(assistant_version_id=canary_version).exists()
    assert canary_version != canary.assistant.main_version_id


def test_bulk_adds_rows(db):
    _seed("--demo")
    before = SbConversation.objects.count()
    _seed("--bulk", "--conversations", "1200", "--test-runs", "300")
    assert SbConversation.objects.count() == before + 1200
    assert SbTestRun.objects.filter(logs="(bulk seeded run)").count() == 300


def test_bulk_without_assistants_fails_cleanly(db):
    with pytest.raises(CommandError):
        _seed("--bulk", "--conversations", "10")


def test_demo_seeding_says_what_the_sandbox_holds_even_when_already_present(db):
    from sandbox.models import SbClusterTask, SbTest

    first = _seed("--demo")
    suites = SbTest.objects.exclude(test_suite="").values("test_suite").distinct().count()
    expected = (f"{SbAssistant.objects.count()} assistants, {SbVersion.objects.count()} versions, "
                f"{SbCanaryDeploy.objects.count()} canary deploys")
    assert expected in first and f"{suites} suites" in first
    assert f"{SbConversation.objects.count():,} conversations" in first
    assert f"{SbClusterTask.objects.count()} clusters" in first
    again = _seed("--demo")
    assert "already present" in again and expected in again


def test_demo_insight_results_name_templates_that_exist(api):
    """A conversation's insight results point at templates the templates list holds, so the
    portal can show "Quality score", not an id."""
    from sandbox.models import SbInsightTemplate

    _seed("--demo")
    conversation = next(c for c in SbConversation.objects.all()
                        if {m.role for m in c.messages.all()} >= {"user", "assistant"})
    runs = api.get(f"/ai/conversations/{conversation.pk}/conversations-insights").json()["data"]
    used = {i["insight_id"] for run in runs for i in run["conversation_insights"]}
    assert used and used <= set(SbInsightTemplate.objects.values_list("id", flat=True))
    names = set(SbInsightTemplate.objects.filter(id__in=used).values_list("name", flat=True))
    assert names == {"Conversation summary", "Quality score"}


def test_brief_demo_seeding_says_present_without_counting_and_still_seeds_an_empty_sandbox(db, django_assert_max_num_queries):
    first = _seed("--demo", "--brief")
    assert SbAssistant.objects.count() == 8 and "Created 8 demo assistants" in first  # an empty sandbox is seeded
    with django_assert_max_num_queries(2):  # two look-ups, no count of every sandbox table
        again = _seed("--demo", "--brief")
    assert again.strip() == "Present already (`manage.py sandbox_seed --demo` says what the sandbox holds)."
