"""The sandbox's own tables, one module per API domain. Names start with ``Sb``."""

from sandbox.models.assistants import SbAssistant, SbCanaryDeploy, SbVersion, SbVersionQuality
from sandbox.models.conversations import SbConversation, SbMessage
from sandbox.models.idempotency import SbIdempotentResponse
from sandbox.models.integrations import SbConnection, SbMcpServer
from sandbox.models.scheduled_events import SbScheduledEvent
from sandbox.models.tests import SbTest, SbTestRun

__all__ = [
    "SbAssistant", "SbVersion", "SbCanaryDeploy", "SbVersionQuality",
    "SbConversation", "SbMessage",
    "SbConnection", "SbMcpServer",
    "SbScheduledEvent",
    "SbTest", "SbTestRun",
    "SbIdempotentResponse",
]

# Knowledge, insights and inference (branch sandbox-knowledge).
from sandbox.models.inference import SbFineTuningJob  # noqa: E402
from sandbox.models.insights import SbInsightGroup, SbInsightTemplate  # noqa: E402
from sandbox.models.knowledge import SbBucket, SbClusterTask, SbDocument, SbEmbeddingTask  # noqa: E402

__all__ += [
    "SbInsightTemplate", "SbInsightGroup",
    "SbBucket", "SbDocument", "SbEmbeddingTask", "SbClusterTask",
    "SbFineTuningJob",
]

# The shared tool library.
from sandbox.models.tools import SbTool  # noqa: E402

__all__ += ["SbTool"]
