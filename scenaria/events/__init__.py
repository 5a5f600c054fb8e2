"""Events: what changed in the scenario world, published by entities and the orchestrator.

``Notifier`` is the process-wide hub (register for a queue; publish into matching queues);
``EventProcessor`` runs callbacks on its own thread; ``CoreEventConsumerBase`` is the thread
base for hand-written consumers. See docs/events.md.
"""

from scenaria.events.consumer import CoreEventConsumerBase
from scenaria.events.event import Event, EventEntityType, EventOperation
from scenaria.events.notifier import Notifier, RegistrationId, Topic
from scenaria.events.processor import EventProcessor, NoGuiDefinedInEventProcessor

__all__ = [
    "CoreEventConsumerBase",
    "Event",
    "EventEntityType",
    "EventOperation",
    "EventProcessor",
    "NoGuiDefinedInEventProcessor",
    "Notifier",
    "RegistrationId",
    "Topic",
]
