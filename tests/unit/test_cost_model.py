"""The cost model (bench/cost.py): the formula, the billing rules it counts by, and the README's table, which
must be what the formula gives for the stored counted figures (``python -m bench --only cost --write-readme``
writes both; nobody types the table)."""

from __future__ import annotations

import json

import pytest

from bench import cost


def test_the_readme_shows_the_table_the_formula_gives_for_the_stored_counted_figures():
    # GIVEN the counted figures the last ``--write-readme`` run stored
    stored = json.loads(cost.COUNTS_FILE.read_text(encoding="utf-8"))
    # WHEN the table is rendered from them
    table = cost.render(stored)
    # THEN the README holds exactly that between its markers
    assert cost.readme_section(cost.README.read_text(encoding="utf-8")) == table
    assert set(stored["scenarios"]) == {"private_case", "public_status", "announcement"}


def test_the_formula_prices_every_counted_quantity_and_divides_by_the_notifications():
    # GIVEN a documented example: 1,000 notifications that took 10,000 WRU, 2,000 RRU, 300 FIFO requests,
    # 102 invocations of 30 GB-s in all and 1 API request
    counts = {
        "notifications": 1000,
        "dynamodb_wru": 10_000,
        "dynamodb_rru": 2_000,
        "sqs_fifo": 300,
        "lambda_requests": 102,
        "lambda_gb_s": 30,
        "api_requests": 1,
        "ses_emails": 500,
    }
    # WHEN it is priced
    result = cost.per_thousand(counts)
    # THEN each quantity is multiplied by its eu-west-1 price; SES is not part of the infrastructure
    expected = 10_000 * 1.4135e-6 + 2_000 * 0.283e-6 + 300 * 0.5e-6 + 102 * 0.2e-6 + 30 * 0.0000166667 + 3.5e-6
    assert result["infrastructure_usd"] == pytest.approx(expected)
    assert result["per_1000_notifications_usd"] == pytest.approx(expected)
    assert result["ses_per_1000_emails_usd"] == pytest.approx(0.10)
    assert cost.per_thousand({**counts, "notifications": 2000})["per_1000_notifications_usd"] == pytest.approx(expected / 2)


@pytest.mark.parametrize(("size", "units"), [(0, 1), (1, 1), (1024, 1), (1025, 2), (3000, 3)])
def test_a_write_is_billed_one_unit_per_kb_and_at_least_one(size, units):
    assert cost._write_units(size) == units


@pytest.mark.parametrize(
    ("size", "consistent", "units"), [(0, True, 1.0), (0, False, 0.5), (4096, True, 1.0), (4097, True, 2.0), (9000, False, 1.5)]
)
def test_a_read_is_billed_per_4_kb_half_when_eventually_consistent(size, consistent, units):
    assert cost._read_units(size, consistent) == units


def test_an_sqs_call_is_one_request_per_64_kb_and_fifo_queues_are_counted_apart():
    fifo = "https://sqs.eu-west-1.amazonaws.com/123456789012/baken-delivery.fifo"
    batch = {"QueueUrl": fifo, "Entries": [{"MessageBody": "x" * 40_000}, {"MessageBody": "y" * 40_000}]}
    assert cost.MotoMeter._sqs("SendMessageBatch", batch, {}) == {"sqs_fifo": 2}
    assert cost.MotoMeter._sqs("DeleteMessageBatch", {"QueueUrl": "https://q/letters"}, {}) == {"sqs_standard": 1}


def test_the_prices_are_one_table_with_a_source_each():
    assert all(price.source.startswith("https://aws.amazon.com/") for price in cost.PRICES.values())
    assert set(cost.INFRASTRUCTURE) <= set(cost.PRICES)
    assert cost.memory_mb("deliver") == cost.MEMORY_MB
