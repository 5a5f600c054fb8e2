"""The REST resources under /api/v1/, on taipy-rest's paths and field names where it has them.

Every id is checked (its form and its kind's prefix) before the store is asked for it; an
unknown one is a 404 that names it. Lists take filters and ``offset``/``limit`` and return a
JSON array (as taipy-rest does), with the total in ``X-Total-Count`` and the next page in ``Link``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Body, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

import scenaria as tp
from scenaria.web import serialize
from scenaria.web.listing import Found, UnknownStatus, status_name, stored, unindexed
from scenaria.web.values import BadValue, converted, page_of

__all__ = ["router"]

router = APIRouter()

_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,300}$")
_KINDS = {
    "cycle": "CYCLE_",
    "scenario": "SCENARIO_",
    "sequence": "SEQUENCE_",
    "task": "TASK_",
    "datanode": "DATANODE_",
    "job": "JOB_",
    "submission": "SUBMISSION_",
}
Offset = Query(0, ge=0, description="how many items to skip")
Limit = Query(100, ge=1, le=1000, description="how many items to return")
AnyJson = Body(None, description="the value, as JSON")


def _found(kind: str, entity_id: str) -> Any:
    """The entity of ``kind`` with ``entity_id``; 404 naming the id, checked before the store is asked."""
    if not _ID.match(entity_id) or not entity_id.startswith(_KINDS[kind]):
        raise HTTPException(404, f"{entity_id!r} is not a {kind} id (they start with {_KINDS[kind]})")
    entity = tp.get(entity_id) if tp.exists(entity_id) else None
    if entity is None:
        raise HTTPException(404, f"no {kind} {entity_id}")
    return entity


def _listed(request: Request, response: Response, found: Found, offset: int, limit: int) -> list[Any]:
    """A page as the JSON array of a list, its total in ``X-Total-Count`` and the next page in ``Link``."""
    total, page = found
    response.headers["X-Total-Count"] = str(total)
    if offset + limit < total:
        query = dict(request.query_params, offset=str(offset + limit), limit=str(limit))
        response.headers["Link"] = f'<{request.url.path}?{"&".join(f"{k}={v}" for k, v in query.items())}>; rel="next"'
    return [serialize.entity(item) for item in page]


# --- cycles ----------------------------------------------------------------------------------------------
@router.get("/cycles/", tags=["cycles"])
def list_cycles(request: Request, response: Response, offset: int = Offset, limit: int = Limit) -> list[Any]:
    return _listed(request, response, stored(tp.Cycle, offset, limit), offset, limit)


@router.get("/cycles/{cycle_id}", tags=["cycles"])
def get_cycle(cycle_id: str) -> dict[str, Any]:
    return {"cycle": serialize.cycle(_found("cycle", cycle_id))}


# --- scenarios -------------------------------------------------------------------------------------------
class NewScenario(BaseModel):
    name: str | None = Field(None, max_length=500)
    creation_date: dt.datetime | None = None
    tags: list[str] = Field(default_factory=list)


class NewTag(BaseModel):
    tag: str = Field(min_length=1, max_length=200)


@router.get("/scenarios/", tags=["scenarios"])
def list_scenarios(
    request: Request,
    response: Response,
    config_id: str | None = None,
    cycle_id: str | None = None,
    tag: str | None = None,
    primary: bool | None = None,
    offset: int = Offset,
    limit: int = Limit,
) -> list[Any]:
    keep = unindexed(
        tag=(lambda item: tag in item.tags, True if tag else None), primary=(lambda item: item.is_primary, primary)
    )
    found = stored(tp.Scenario, offset, limit, keep, config_id=config_id, owner_id=cycle_id)
    return _listed(request, response, found, offset, limit)


@router.post("/scenarios/", tags=["scenarios"], status_code=201)
def create_scenario(config_id: str, body: NewScenario | None = None) -> dict[str, Any]:
    """Create a scenario of config ``config_id``, with an optional name, creation date and tags."""
    body = body or NewScenario.model_validate({})
    configs = {key: value for key, value in tp.Config.scenarios.items() if key != "default"}
    if config_id not in configs:
        raise HTTPException(404, f"no scenario config {config_id!r}; known: {', '.join(sorted(configs)) or 'none'}")
    scenario = tp.create_scenario(configs[config_id], creation_date=body.creation_date, name=body.name)
    for tag in body.tags:
        tp.tag(scenario, tag)
    return {"message": "Scenario was created.", "scenario": serialize.scenario(scenario)}


@router.get("/scenarios/{scenario_id}", tags=["scenarios"])
def get_scenario(scenario_id: str) -> dict[str, Any]:
    return {"scenario": serialize.scenario(_found("scenario", scenario_id))}


@router.delete("/scenarios/{scenario_id}", tags=["scenarios"])
def delete_scenario(scenario_id: str) -> dict[str, Any]:
    tp.delete(_found("scenario", scenario_id).id)
    return {"message": f"Scenario {scenario_id} was deleted."}


@router.post("/scenarios/{scenario_id}/primary", tags=["scenarios"])
def set_primary(scenario_id: str) -> dict[str, Any]:
    scenario = _found("scenario", scenario_id)
    tp.set_primary(scenario)
    return {"message": f"Scenario {scenario_id} is primary.", "scenario": serialize.scenario(scenario)}


@router.post("/scenarios/{scenario_id}/tags", tags=["scenarios"])
def add_tag(scenario_id: str, body: NewTag) -> dict[str, Any]:
    scenario = _found("scenario", scenario_id)
    tp.tag(scenario, body.tag)
    return {"scenario": serialize.scenario(scenario)}


@router.delete("/scenarios/{scenario_id}/tags/{tag}", tags=["scenarios"])
def remove_tag(scenario_id: str, tag: str) -> dict[str, Any]:
    scenario = _found("scenario", scenario_id)
    if tag not in scenario.tags:
        raise HTTPException(404, f"scenario {scenario_id} has no tag {tag!r}")
    tp.untag(scenario, tag)
    return {"scenario": serialize.scenario(scenario)}


def _submitted(kind: str, entity_id: str) -> dict[str, Any]:
    submission = tp.submit(_found(kind, entity_id))
    label = kind.capitalize()
    return {
        "message": f"{label} {entity_id} was submitted.",
        "submission": serialize.submission(submission) if submission is not None else None,
    }


@router.post("/scenarios/submit/{scenario_id}", tags=["scenarios"])
def submit_scenario(scenario_id: str) -> dict[str, Any]:
    return _submitted("scenario", scenario_id)


def _svg(kind: str, entity_id: str) -> Response:
    from scenaria.entities.picture import svg

    return Response(svg(_found(kind, entity_id)), media_type="image/svg+xml")


@router.get("/scenarios/{scenario_id}/svg", tags=["scenarios"], response_class=Response)
def scenario_svg(scenario_id: str) -> Response:
    return _svg("scenario", scenario_id)


# --- sequences and tasks ---------------------------------------------------------------------------------
@router.get("/sequences/", tags=["sequences"])
def list_sequences(
    request: Request, response: Response, owner_id: str | None = None, offset: int = Offset, limit: int = Limit
) -> list[Any]:
    owners = [_found("scenario", owner_id)] if owner_id else tp.get_scenarios()
    sequences = [sequence for owner in owners for sequence in owner.sequences.values()]
    return _listed(request, response, (len(sequences), sequences[offset : offset + limit]), offset, limit)


@router.get("/sequences/{sequence_id}", tags=["sequences"])
def get_sequence(sequence_id: str) -> dict[str, Any]:
    return {"sequence": serialize.sequence(_found("sequence", sequence_id))}


@router.post("/sequences/submit/{sequence_id}", tags=["sequences"])
def submit_sequence(sequence_id: str) -> dict[str, Any]:
    return _submitted("sequence", sequence_id)


@router.get("/sequences/{sequence_id}/svg", tags=["sequences"], response_class=Response)
def sequence_svg(sequence_id: str) -> Response:
    return _svg("sequence", sequence_id)


@router.get("/tasks/", tags=["tasks"])
def list_tasks(
    request: Request,
    response: Response,
    config_id: str | None = None,
    owner_id: str | None = None,
    offset: int = Offset,
    limit: int = Limit,
) -> list[Any]:
    found = stored(tp.Task, offset, limit, config_id=config_id, owner_id=owner_id)
    return _listed(request, response, found, offset, limit)


@router.get("/tasks/{task_id}", tags=["tasks"])
def get_task(task_id: str) -> dict[str, Any]:
    return {"task": serialize.task(_found("task", task_id))}


@router.post("/tasks/submit/{task_id}", tags=["tasks"])
def submit_task(task_id: str) -> dict[str, Any]:
    return _submitted("task", task_id)


# --- data nodes ------------------------------------------------------------------------------------------
@router.get("/datanodes/", tags=["datanodes"])
def list_data_nodes(
    request: Request,
    response: Response,
    config_id: str | None = None,
    owner_id: str | None = None,
    offset: int = Offset,
    limit: int = Limit,
) -> list[Any]:
    found = stored(tp.DataNode, offset, limit, config_id=config_id, owner_id=owner_id)
    return _listed(request, response, found, offset, limit)


@router.get("/datanodes/{datanode_id}", tags=["datanodes"])
def get_data_node(datanode_id: str) -> dict[str, Any]:
    return {"datanode": serialize.data_node(_found("datanode", datanode_id))}


@router.get("/datanodes/{datanode_id}/read", tags=["datanodes"])
def read_data_node(request: Request, datanode_id: str, offset: int = Offset, limit: int = Limit) -> dict[str, Any]:
    """The node's value; a DataFrame as one page of records with its columns and types."""
    node = _found("datanode", datanode_id)
    return page_of(node.read(), offset, limit, request.url.path)


@router.put("/datanodes/{datanode_id}/write", tags=["datanodes"])
def write_data_node(datanode_id: str, value: Any = AnyJson) -> dict[str, Any]:
    """Write the JSON body as the node's value, checked against its exposed type."""
    node = _found("datanode", datanode_id)
    try:
        data = converted(node.properties.get("exposed_type"), node.read(), value)
    except BadValue as exc:
        raise HTTPException(422, f"{exc.field}: {exc.message}") from None
    node.write(data)
    return {"message": f"Data node {datanode_id} was written.", "datanode": serialize.data_node(node)}


# --- jobs and submissions --------------------------------------------------------------------------------
@router.get("/jobs/", tags=["jobs"])
def list_jobs(
    request: Request,
    response: Response,
    status: str | None = None,
    task_id: str | None = None,
    submission_id: str | None = None,
    config_id: str | None = None,
    offset: int = Offset,
    limit: int = Limit,
) -> list[Any]:
    keep = unindexed(config=(lambda item: item._task_config_id, config_id))
    where = {"status": _status(tp.Status, status), "task_id": task_id, "submit_id": submission_id}
    return _listed(request, response, stored(tp.Job, offset, limit, keep, **where), offset, limit)


@router.get("/jobs/{job_id}", tags=["jobs"])
def get_job(job_id: str) -> dict[str, Any]:
    return {"job": serialize.job(_found("job", job_id))}


@router.get("/jobs/{job_id}/logs", tags=["jobs"])
def job_logs(job_id: str) -> dict[str, Any]:
    job = _found("job", job_id)
    return {
        "id": job.id,
        "status": job.status.name,
        "progress": serialize.jsonable(getattr(job, "progress", None)),
        "stdout": job.stdout,
        "stderr": job.stderr,
        "stacktrace": list(job.stacktrace),
    }


@router.post("/jobs/cancel/{job_id}", tags=["jobs"])
def cancel_job(job_id: str) -> dict[str, Any]:
    job = _found("job", job_id)
    if job.is_finished():
        raise HTTPException(409, f"job {job_id} is {job.status.name} already: only an unfinished job can be canceled")
    tp.cancel_job(job)
    return {"message": f"Job {job_id} was canceled.", "job": serialize.job(tp.get(job_id))}


@router.get("/submissions/", tags=["submissions"])
def list_submissions(
    request: Request,
    response: Response,
    entity_id: str | None = None,
    status: str | None = None,
    offset: int = Offset,
    limit: int = Limit,
) -> list[Any]:
    keep = unindexed(status=(lambda item: item.submission_status.name, _status(tp.SubmissionStatus, status)))
    found = stored(tp.Submission, offset, limit, keep, entity_id=entity_id)
    return _listed(request, response, found, offset, limit)


def _status(statuses: Any, value: str | None) -> str | None:
    """The status filter's name; an unknown one is a 422 on the query field, as FastAPI's own."""
    try:
        return status_name(statuses, value)
    except UnknownStatus as exc:
        raise RequestValidationError([{"loc": ("query", "status"), "msg": str(exc), "type": "value_error"}]) from None


@router.get("/submissions/{submission_id}", tags=["submissions"])
def get_submission(submission_id: str) -> dict[str, Any]:
    return {"submission": serialize.submission(_found("submission", submission_id))}


@router.post("/submissions/cancel/{submission_id}", tags=["submissions"])
def cancel_submission(submission_id: str) -> dict[str, Any]:
    submission = _found("submission", submission_id)
    canceled = [job.id for job in submission.jobs if not job.is_finished()]
    for job_id in canceled:
        tp.cancel_job(job_id)
    return {"message": f"Submission {submission_id}: {len(canceled)} job(s) canceled.", "canceled": canceled}


@router.get("/submissions/{submission_id}/svg", tags=["submissions"], response_class=Response)
def submission_svg(submission_id: str) -> Response:
    return _svg("submission", submission_id)


# --- events ----------------------------------------------------------------------------------------------
@router.get("/events", tags=["events"], response_class=StreamingResponse)
def events(
    request: Request,
    entity_type: str | None = Query(None, description="CYCLE, SCENARIO, SEQUENCE, TASK, DATA_NODE, JOB, SUBMISSION"),
    entity_id: str | None = None,
    last_event_id: str | None = Header(None),
) -> StreamingResponse:
    """The notifier's events as Server-Sent Events; ``Last-Event-ID`` replays the recent ones missed."""
    known = {"CYCLE", "SCENARIO", "SEQUENCE", "TASK", "DATA_NODE", "JOB", "SUBMISSION"}
    kind = entity_type.upper() if entity_type else None
    if kind is not None and kind not in known:
        raise HTTPException(422, f"entity_type: {entity_type!r} is none of {', '.join(sorted(known))}")
    if last_event_id is not None and not last_event_id.isdigit():
        raise HTTPException(422, f"Last-Event-ID: {last_event_id!r} is not an event number")
    hub = request.app.state.hub
    stream = hub.stream(int(last_event_id) if last_event_id else hub.position(), kind, entity_id)
    return StreamingResponse(stream, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
