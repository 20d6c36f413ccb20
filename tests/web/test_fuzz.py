"""A property-based fuzz of the API against its own OpenAPI schema (schemathesis):
whatever the body, path or JSON, the server answers without a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import SMALL_RUNS
from twofront.web.app import create_app

MAX_EXAMPLES = 40
"""Examples per operation: enough to reach every field's bounds, small enough to be quick."""

# Built here, not in a fixture: schemathesis' fixture loader does not run under pytest 9.
# Without a store folder, opening experiments is fuzzed on its checks of the request.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(max_runs=SMALL_RUNS, max_seconds=30)
)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
