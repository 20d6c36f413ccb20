"""The dashboard's routes: a FastAPI app over :mod:`twofront.web.runner`.

``GET /`` is the page; ``/static`` its script and style (no CDN); ``/api/...`` the
JSON API, its OpenAPI schema at ``/openapi.json`` (no ``/docs`` page: FastAPI loads its
viewer from a CDN). One comparison or stored experiment is worked on at a time (the
machine's cores run it); another request meanwhile gets 429. No CORS headers are sent
unless origins are given.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles

from twofront.experiment.provenance import version
from twofront.scenario.loader import shipped_names
from twofront.web import models, runner
from twofront.web.runner import FieldError

STATIC = Path(__file__).parent / "static"
BUSY = "busy with another comparison; one runs at a time on this server: try again when it ends"
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "an unknown name in the path"},
    422: {"description": "a field that does not fit: detail[].loc names it, msg says why"},
    429: {"description": BUSY},
}


def create_app(
    store: Path | None = None,
    cors_origins: Sequence[str] = (),
    max_runs: int = models.MAX_RUNS_PER_REQUEST,
    max_seconds: float = models.MAX_SECONDS_PER_REQUEST,
) -> FastAPI:
    """The dashboard app; ``store`` is a folder of experiments (``twofront experiment
    --out STORE/NAME``) it may list and open, ``cors_origins`` the only origins whose
    pages may call the API from another site (none by default)."""
    app = FastAPI(
        title="twofront dashboard",
        docs_url=None,
        redoc_url=None,
        version=version(),
        description="Change an assumption, run strategies on common random numbers, "
        f"see the answer move. At most {max_runs:,} runs per strategy and "
        f"{max_seconds:g} s per request.",
    )
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["*"])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    busy = threading.Lock()
    limits = models.Limits(
        max_runs=max_runs, max_seconds=max_seconds,
        max_cells=models.MAX_CELLS, max_sets=models.MAX_SETS,
    )  # fmt: skip
    detail = lru_cache(maxsize=None)(_scenario_detail)

    @app.exception_handler(FieldError)
    def _field_error(request: Request, err: FieldError) -> JSONResponse:
        body = {"detail": [{"loc": list(err.loc), "msg": str(err), "type": "value_error"}]}
        return JSONResponse(body, status_code=err.status)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/limits")
    def get_limits() -> models.Limits:
        """The bounds on every request."""
        return limits

    @app.get("/api/scenarios")
    def list_scenarios() -> list[models.ScenarioInfo]:
        """The shipped scenarios with their strategies and end states."""
        return [models.ScenarioInfo(**detail(n).model_dump()) for n in shipped_names()]

    @app.get("/api/scenarios/{name}", responses=ERRORS)
    def get_scenario(name: str) -> models.ScenarioDetail:
        """A shipped scenario with one slider per uncertain number."""
        if name not in shipped_names():
            raise FieldError(("path", "name"), f"unknown scenario {name!r}", status=404)
        return detail(name)

    @app.post(
        "/api/compare",
        responses={
            **ERRORS,
            200: {
                "description": "server-sent events: progress {done, total} after each chunk, "
                "then answer (an Answer) or failed {detail}",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
        },
        response_class=StreamingResponse,
    )
    def post_compare(request: models.CompareRequest) -> StreamingResponse:
        """Run strategies on the same sampled worlds and stream the progress and answer."""
        chosen = runner.plan(request, max_runs)
        if not busy.acquire(blocking=False):
            raise FieldError(("body",), BUSY, status=429)
        stream = runner.events(chosen, max_seconds, busy.release)
        return StreamingResponse(
            stream, media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    @app.get("/api/experiments")
    def list_experiments() -> list[models.ExperimentInfo]:
        """Complete experiments in the store folder (none if the server was given none)."""
        return list(runner.experiments(store).values())

    @app.post("/api/experiments/open", responses=ERRORS)
    async def open_experiments(request: models.OpenRequest) -> models.Answer:
        """Stored experiments compared, as a comparison's answer."""
        if not busy.acquire(blocking=False):
            raise FieldError(("body",), BUSY, status=429)
        try:
            return await run_in_threadpool(runner.open_stored, store, request.names)
        finally:
            busy.release()

    return app


def _scenario_detail(name: str) -> models.ScenarioDetail:
    spec = runner.scenario(name, ("path", "name"))
    return models.ScenarioDetail(**runner.info(spec).model_dump(), sliders=runner.sliders(spec))
