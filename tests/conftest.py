"""Shared fixtures.

``sandbox``: one sandbox org (empty data) over HTTPS for the whole session; its CA is
trusted through ``REQUESTS_CA_BUNDLE`` (requests lets that variable override a
Session's ``verify``, so the variable is how clients trust the sandbox).
``org``: the same org, reset for each test (faults, request log, limits, clock).
``sf``: a simple-salesforce client logged in to it by session id.
``slack``: a Slack stand-in with the demo workspace's people and channels (per module).
``running_bot``: the real app over HTTP on ``sandbox`` and ``slack`` (per module); each
module's own ``bot`` fixture loads its data and clears what the last test left.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from simple_salesforce import Salesforce

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SlackStandIn
from tests.support.harness import BotUnderTest, populate_workspace, start_bot


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


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        populate_workspace(standin)
        yield standin


@pytest.fixture(scope="module")
def running_bot(sandbox: SandboxOrg, slack: SlackStandIn) -> Iterator[BotUnderTest]:
    bot = start_bot(sandbox, slack)
    yield bot
    bot.stop()


pytest_plugins = ["tests.support.dbfixtures"]
