"""Events: what changed in the scenario world, published by entities and the orchestrator.

``Notifier`` is the process-wide hub (register for a queue; publish into matching queues);
``EventProcessor`` runs callbacks on its own thread; ``CoreEventConsumerBase`` is the thread
base for hand-written consumers. See docs/events.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenaria.events.consumer import CoreEventConsumerBase as CoreEventConsumerBase
    from scenaria.events.event import Event as Event
    from scenaria.events.event import EventEntityType as EventEntityType
    from scenaria.events.event import EventOperation as EventOperation
    from scenaria.events.notifier import Notifier as Notifier
    from scenaria.events.notifier import RegistrationId as RegistrationId
    from scenaria.events.notifier import Topic as Topic
    from scenaria.events.processor import EventProcessor as EventProcessor
    from scenaria.events.processor import NoGuiDefinedInEventProcessor as NoGuiDefinedInEventProcessor

# name -> module: loaded on first use, so that entities publishing events (which import
# ``events.event`` and ``events.notifier``) do not load the processor and consumer threads' code.
_HOMES = {
    "CoreEventConsumerBase": "consumer",
    "Event": "event",
    "EventEntityType": "event",
    "EventOperation": "event",
    "Notifier": "notifier",
    "RegistrationId": "notifier",
    "Topic": "notifier",
    "EventProcessor": "processor",
    "NoGuiDefinedInEventProcessor": "processor",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scenaria.events' has no attribute {name!r}")
    return getattr(importlib.import_module(f"scenaria.events.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)


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
