"""``submit()`` of scenarios, sequences and tasks (``Submits``): the public API's ``submit``;
``scenario.export()``: its ``export_scenario``.

The one import of the entities layer that goes up, named in the layers contract (pyproject.toml):
submitting needs the orchestrator, started on first use, which builds on the entities, and the
public API offers ``submit`` (and ``export_scenario``) as methods of the entities concerned.
Everything else entities need from above goes through ``ports``.
"""

from __future__ import annotations

from typing import Any


class Submits:
    """``submit()`` for scenarios, sequences and tasks, with the public API's arguments."""

    def submit(
        self,
        callbacks: list[Any] | None = None,
        force: bool = False,
        wait: bool = False,
        timeout: float | None = None,
        **properties: Any,
    ) -> Any:
        """Run this entity's tasks as jobs; see ``scenaria.submit``."""
        from scenaria.api import submit as submit_entity

        return submit_entity(self, force=force, wait=wait, timeout=timeout, callbacks=callbacks, **properties)


def export(scenario_id: str, output_path: Any, override: bool, include_data: bool) -> None:
    """``scenaria.export_scenario(scenario_id, ...)``."""
    from scenaria.api import export_scenario

    export_scenario(scenario_id, output_path, override=override, include_data=include_data)
