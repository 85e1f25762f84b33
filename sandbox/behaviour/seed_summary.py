"""What the sandbox holds, in the words of the portal's lists, for the seeding command to
print (on every `bin/serve`, also when the demo data was already there)."""

from __future__ import annotations

from sandbox.models import (
    SbAssistant,
    SbBucket,
    SbCanaryDeploy,
    SbClusterTask,
    SbConversation,
    SbDocument,
    SbFineTuningJob,
    SbInsightGroup,
    SbInsightTemplate,
    SbMcpServer,
    SbScheduledEvent,
    SbTest,
    SbTestRun,
    SbVersion,
)


def sandbox_summary() -> dict[str, int]:
    """{what: how many}, in the order the portal's sidebar lists them."""
    return {
        "assistants": SbAssistant.objects.count(),
        "versions": SbVersion.objects.count(),
        "canary deploys": SbCanaryDeploy.objects.count(),
        "scheduled events": SbScheduledEvent.objects.count(),
        "MCP servers": SbMcpServer.objects.count(),
        "tests": SbTest.objects.count(),
        "suites": SbTest.objects.exclude(test_suite="").values("test_suite").distinct().count(),
        "test runs": SbTestRun.objects.count(),
        "conversations": SbConversation.objects.count(),
        "insight templates": SbInsightTemplate.objects.count(),
        "insight groups": SbInsightGroup.objects.count(),
        "buckets": SbBucket.objects.count(),
        "documents": SbDocument.objects.count(),
        "clusters": SbClusterTask.objects.count(),
        "fine-tuning jobs": SbFineTuningJob.objects.count(),
    }


def summary_line(counts: dict[str, int]) -> str:
    return "The sandbox now holds " + ", ".join(f"{n:,} {what}" for what, n in counts.items()) + "."


def demo_data_present() -> bool:
    """Both parts of the demo data set are there (what `sandbox_seed --demo` checks before it
    seeds): two indexed look-ups, for a restart that need not count what the sandbox holds."""
    return (SbAssistant.objects.filter(is_demo=True).exists()
            and SbBucket.objects.filter(is_demo=True).exists())
