"""The local event runner behaves like Lambda's event source mapping on the moto stream: it bisects a batch
that fails whole, sends records that are too old to the failure destination, and ignores a partial batch
response unless ReportBatchItemFailures is on."""

from __future__ import annotations

import json
import time

from devstack.runner import StreamPoller, StreamSettings


def _write(stack, count: int) -> None:
    dynamodb = stack.client("dynamodb")
    for index in range(count):
        dynamodb.put_item(TableName="baken-local-cases", Item={"case_id": {"S": f"c{index}"}, "kind": {"S": "other"}})


def _poller(stack, handler, settings: StreamSettings) -> StreamPoller:
    return StreamPoller(
        streams=stack.client("dynamodbstreams"),
        sqs=stack.client("sqs"),
        stream_arn=stack.outputs.cases_stream_arn,
        handler=handler,
        settings=settings,
        failure_queue_url=stack.outputs.stream_failure_queue_url,
        retry_delay=0,
    )


def _failure_messages(stack) -> list[dict]:
    sqs = stack.client("sqs")
    messages = sqs.receive_message(QueueUrl=stack.outputs.stream_failure_queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_a_batch_that_fails_whole_is_split_in_halves_until_the_bad_record_stands_alone(stack):
    _write(stack, 8)
    sizes: list[int] = []
    handled: set[str] = set()

    def handler(event, context):
        keys = [r["dynamodb"]["Keys"]["case_id"]["S"] for r in event["Records"]]
        sizes.append(len(keys))
        if "c5" in keys:
            raise RuntimeError("bad record")
        handled.update(keys)
        return {"batchItemFailures": []}

    poller = _poller(stack, handler, StreamSettings(batch_size=8, maximum_retry_attempts=5, bisect_on_error=True))
    for _ in range(30):
        poller.poll_once()
    assert sizes[:2] == [8, 4]
    assert handled == {f"c{i}" for i in range(8)} - {"c5"}
    (failure,) = _failure_messages(stack)
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1


def test_records_older_than_the_maximum_age_go_to_the_failure_destination_unprocessed(stack):
    _write(stack, 2)
    seen: list[str] = []

    def handler(event, context):
        seen.extend(r["eventID"] for r in event["Records"])
        return {"batchItemFailures": []}

    poller = _poller(stack, handler, StreamSettings(batch_size=10, maximum_record_age_seconds=1))
    time.sleep(1.2)
    poller.poll_once()
    assert seen == []
    (failure,) = _failure_messages(stack)
    assert (failure["requestContext"]["condition"], failure["DDBStreamBatchInfo"]["batchSize"]) == ("RecordAgeExceeded", 2)


def test_without_report_batch_item_failures_a_partial_response_counts_as_success(stack):
    _write(stack, 3)
    calls = 0

    def handler(event, context):
        nonlocal calls
        calls += 1
        return {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["dynamodb"]["SequenceNumber"]}]}

    poller = _poller(stack, handler, StreamSettings(batch_size=10, report_batch_item_failures=False))
    poller.poll_once()
    poller.poll_once()
    assert (calls, poller.stats.records_succeeded, poller.stats.retries) == (1, 3, 0)


def test_the_settings_come_from_the_merge_template():
    from devstack.infra import mapping_settings

    settings = StreamSettings.from_mapping(mapping_settings("OnCaseChange"), batch_size=25)
    assert (settings.report_batch_item_failures, settings.bisect_on_error) == (True, True)
    assert (settings.maximum_retry_attempts, settings.maximum_record_age_seconds) == (10, 21600)
