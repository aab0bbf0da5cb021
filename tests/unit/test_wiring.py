"""The object graph: one typed value of adapters, services made once and on first use, one process-wide graph."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.adapters.memory import InMemoryEmail, InMemoryOutbox
from chalicelib.config import local_settings
from chalicelib.wiring import Adapters, Services
from tests.conftest import ROOT
from tests.factories import T0, FixedClock, a_case


def test_the_adapters_are_one_frozen_value():
    adapters = Adapters.in_memory()
    with pytest.raises(dataclasses.FrozenInstanceError):
        adapters.email = InMemoryEmail()  # type: ignore[misc]


def test_but_swaps_an_adapter_and_keeps_the_others():
    adapters = Adapters.in_memory()
    email = InMemoryEmail()
    swapped = adapters.but(email=email)
    assert swapped.email is email
    assert swapped.outbox is adapters.outbox
    assert adapters.email is not email


def test_a_new_clock_reaches_the_change_feed_too():
    """A stream record without a creation time is stamped with the graph's clock: swapping the clock swaps it."""
    from chalicelib.adapters.dynamodb import mapping
    from chalicelib.domain.changes import CaseChange

    later = FixedClock(T0 + timedelta(days=3))
    image = mapping.case_to_record(a_case()).serialize()
    change = Adapters.in_memory().but(clock=later).changes.decode({"dynamodb": {"NewImage": image}})
    assert isinstance(change, CaseChange)
    assert change.observed_at == later.now()


def test_a_local_graph_with_a_clock_offset_runs_that_far_ahead():
    from datetime import UTC, datetime

    settings = dataclasses.replace(local_settings(), dev_clock_offset_seconds=7 * 3600)
    shifted = Adapters.in_memory(settings).clock.now() - datetime.now(UTC)
    assert timedelta(hours=7) - timedelta(seconds=5) < shifted <= timedelta(hours=7)
    assert abs(Adapters.in_memory().clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_each_service_is_made_once_and_shares_the_adapters():
    services = Services(Adapters.in_memory())
    assert services.fanout is services.fanout
    assert services.delivery is services.delivery
    assert services.change_previews is services.change_previews
    outbox = services.adapters.outbox
    assert isinstance(outbox, InMemoryOutbox)
    assert services.subscription_service is services.subscription_service


def test_the_settings_reach_the_services():
    settings = dataclasses.replace(local_settings(), portal_url="https://mijn.example.test")
    services = Services(Adapters.in_memory(settings))
    assert services.links.home().startswith("https://mijn.example.test")


def test_use_puts_a_graph_in_place_and_reset_forgets_it():
    adapters = Adapters.in_memory()
    try:
        placed = wiring.use(adapters)
        assert wiring.services() is placed
        assert wiring.adapters() is adapters
    finally:
        wiring.reset()
    assert wiring._current == []


def test_an_in_memory_graph_has_no_aws_clients():
    try:
        wiring.use(Adapters.in_memory())
        with pytest.raises(RuntimeError, match="in memory"):
            wiring.aws_client("sqs")
    finally:
        wiring.reset()


LAZY_GRAPH = """
import json, sys
from chalicelib.config import local_settings
from chalicelib.wiring import Adapters, Services

services = Services(Adapters.on_aws(local_settings()))
services.fanout
services.delivery
print(json.dumps({
    "clients": sorted(services.adapters.aws._made),
    "modules": sorted(m for m in ("jinja2", "jwt", "boto3") if m in sys.modules),
}))
"""


def test_building_the_graph_on_aws_makes_no_client_and_loads_no_template_engine_or_jwt():
    """A function pays for what it uses: a boto3 client when an adapter first calls AWS, jinja2 on the first
    render, JWT on the first token check. Building the services a handler needs does none of these."""
    done = subprocess.run(
        [sys.executable, "-c", LAZY_GRAPH], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": ""}
    )
    assert json.loads(done.stdout) == {"clients": [], "modules": []}


NO_SECRETS_LIBRARY = """
import json, sys
import app
from chalicelib.config import local_settings
from chalicelib.wiring import Adapters

Adapters.on_aws(local_settings())
print(json.dumps(sorted(m for m in ("aws_lambda_powertools.utilities.parameters", "cryptography.hazmat.primitives.ciphers.aead")
                        if m in sys.modules)))
"""


def test_importing_the_app_and_building_a_graph_loads_neither_the_secrets_library_nor_the_cipher():
    """Powertools Parameters is loaded on the first secret read, AES-GCM on the first sealed cookie."""
    done = subprocess.run(
        [sys.executable, "-c", NO_SECRETS_LIBRARY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "BAKEN_STAGE": "local"},
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
