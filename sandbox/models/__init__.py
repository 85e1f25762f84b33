"""The sandbox's own tables, one module per API domain. Names start with ``Sb``."""

from sandbox.models.assistants import SbAssistant, SbCanaryDeploy, SbVersion
from sandbox.models.conversations import SbConversation, SbMessage
from sandbox.models.integrations import SbConnection, SbMcpServer
from sandbox.models.scheduled_events import SbScheduledEvent
from sandbox.models.tests import SbTest, SbTestRun

__all__ = [
    "SbAssistant", "SbVersion", "SbCanaryDeploy",
    "SbConversation", "SbMessage",
    "SbConnection", "SbMcpServer",
    "SbScheduledEvent",
    "SbTest", "SbTestRun",
]
from .idempotency import SbIdempotentResponse  # noqa: F401
