"""Shared fixtures.

``sandbox``: one sandbox org (empty data) over HTTPS for the whole session; its CA is
trusted through ``REQUESTS_CA_BUNDLE`` (requests lets that variable override a
Session's ``verify``, so the variable is how clients trust the sandbox).
``org``: the same org, reset for each test (faults, request log, limits, clock).
``sf``: a simple-salesforce client logged in to it by session id.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from simple_salesforce import Salesforce

from bot.sandbox.server import SandboxOrg


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxOrg]:
    org = SandboxOrg(data={}).start()
    previous = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = org.ca_path
    try:
        yield org
    finally:
        org.stop()
        if previous is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = previous


@pytest.fixture
def org(sandbox: SandboxOrg) -> Iterator[SandboxOrg]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


@pytest.fixture
def sf(org: SandboxOrg) -> Iterator[Salesforce]:
    client = Salesforce(instance_url=org.instance_url, session_id=org.access_token)
    yield client
    client.session.close()


pytest_plugins = ["tests.dbfixtures"]
