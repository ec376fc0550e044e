"""Schemathesis over every operation of /api/openapi.json (issue 13): a few examples each,
with a fixed seed; no answer may be a server error or disagree with the
documented schema; as a city admin and as a branch secretary (scoped to one branch: his
answers are mostly 403/404, which must be documented and JSON too).

The city admin's writes reach the domain, so his run on PostgreSQL adds Schemathesis'
coverage phase (the schema's boundary and invalid values, a few hundred requests per
operation): PostgreSQL is the stricter database for such values (integers out of range,
NUL characters in text), and `make test` runs both, so SQLite keeps to the fuzzed examples
(a third of the module's time). The secretary's run, refused at the scope for most paths,
keeps to the fuzzed examples on both."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from xianfeng.accounts.domain import create_api_token
from xianfeng.api import api


def _schema(*, coverage: bool):
    found = schemathesis.openapi.from_dict(api.get_openapi_schema())
    found.app = get_wsgi_application()
    found.config.phases.coverage.enabled = coverage
    return found


schema = _schema(coverage=os.environ.get("DATABASE_URL", "").startswith("postgres"))
scoped_schema = _schema(coverage=False)
FUZZ_SETTINGS = settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Path parameters that name something of the tree, so the fuzzed bodies reach the domain.
KNOWN = {"code": {"/api/members": "MA1", "/api/study/members": "MA1"}, "username": "secretary"}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def kept_connection():
    """Calling the WSGI app directly would close the test's database connection at the end
    of each request (PostgreSQL then loses the test transaction); Django's test client
    avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _known_path_parameters(case) -> None:
    params = case.path_parameters or {}
    if "code" in params:
        member = any(case.path.startswith(p) for p in KNOWN["code"])
        params["code"] = "MA1" if member else "CA-T1-B1"
    if "username" in params:
        params["username"] = KNOWN["username"]


def _fuzz(case, user) -> None:
    _token, key = create_api_token(user=user, name="fuzz")
    _known_path_parameters(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


# The one-value parametrize names each case `[operation][account]`, as xdist needs ids
# unique within the module.
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["city_admin"])
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_fuzz_never_fails_with_coverage_on_postgresql(case, tree, kept_connection, who):
    _fuzz(case, tree.users[who])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secretary"])
@scoped_schema.parametrize()
@FUZZ_SETTINGS
def test_api_fuzz_never_fails(case, tree, kept_connection, who):
    _fuzz(case, tree.users[who])
