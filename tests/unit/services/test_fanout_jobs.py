"""Fan-out in bounded units: an audience larger than one unit of work is told by jobs, one page of one interest key
each; every job is idempotent, so retried or duplicated jobs send nothing twice; the event's progress is counted
once per job. The digest run is sharded by subscriber and no job handles more than its cap of people."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import cast

from chalicelib.adapters.memory import InMemoryJobs, InMemoryProgress
from chalicelib.domain.events import CaseEvent, EventKind, Place
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import HELD_SHARDS, Notification, NotificationStatus, held_shard_of
from chalicelib.domain.subscriptions import Channel, Interest
from chalicelib.services.digests import DigestRun
from chalicelib.services.fanout import UNIT, FanOutJob
from tests.factories import FATIMA, MARK, T0, VERGUNNING, a_case, subscription
from tests.unit.services.conftest import World
from tests.unit.services.test_fanout import _change, _follow_case

UTRECHT = "GM0344"
TOPIC = "subsidies"
EMAIL_ONLY = frozenset({Channel.EMAIL})


def _announcement(announcement_id: str = "ann-1") -> CaseEvent:
    return CaseEvent(
        f"{announcement_id}/announcement/{announcement_id}",
        EventKind.ANNOUNCEMENT,
        announcement_id,
        announcement_id,
        T0,
        public=True,
        topic=TOPIC,
        place=Place((UTRECHT,)),
    )


def _followers(world: World, count: int, *, prefix: str = "pu") -> list[str]:
    """``count`` people following the topic anywhere; every third of them also follows Utrecht (two keys)."""
    people = [f"{prefix}-{n:07d}" for n in range(count)]
    for n, person in enumerate(people):
        world.follow(subscription(Interest.topic_anywhere(TOPIC), person), channels=EMAIL_ONLY)
        if n % 3 == 0:
            world.follow(subscription(Interest.gemeente(UTRECHT), person), channels=EMAIL_ONLY)
    return people


def _jobs(world: World) -> InMemoryJobs:
    return cast(InMemoryJobs, world.adapters.jobs)


def _run_jobs(world: World, *, twice: bool = False, duplicate_first: bool = False) -> int:
    """What the jobs queue does: run every job until none is left (jobs queue jobs). ``twice``: each message is
    delivered twice; ``duplicate_first``: the first message comes once more at the end. The jobs run."""
    runs = 0
    while messages := _jobs(world).drain():
        if duplicate_first:
            messages.append(messages[0])
            duplicate_first = False
        for body in messages:
            for _ in range(2 if twice else 1):
                world.services.jobs.run(body)
                runs += 1
    return runs


def _emails_per_person(world: World) -> Counter[str]:
    return Counter(n.subscriber_id for n in world.outbox.items.values() if n.channel is Channel.EMAIL)


def test_an_announcement_beyond_one_unit_leaves_the_stream_invocation_bounded_and_the_rest_to_jobs(world: World):
    # GIVEN 2.5 units of followers (a third of them through two keys)
    people = _followers(world, UNIT * 5 // 2)
    world.subscriptions.items_read = 0
    # WHEN the stream handler fans the announcement out
    result = world.fanout.handle_events([_announcement()])
    # THEN it read at most one unit of entries and wrote at most one unit of notifications; the rest is jobs
    assert world.subscriptions.items_read <= UNIT
    assert result.entries <= UNIT
    assert 0 < result.created <= UNIT
    assert len(world.outbox.items) <= UNIT
    assert result.jobs >= 1
    assert len(_jobs(world).messages) == result.jobs
    assert all(json.loads(body)["kind"] == "fanout" for body in _jobs(world).messages)
    # and once the jobs ran, every follower has exactly one e-mail
    _run_jobs(world)
    assert _emails_per_person(world) == Counter(dict.fromkeys(people, 1))


def test_jobs_run_twice_and_a_duplicated_job_send_nothing_twice_and_progress_reaches_done(world: World):
    people = _followers(world, UNIT * 3)
    event = _announcement()
    world.fanout.handle_events([event])
    # WHEN every job is delivered twice, and one once more after that
    _run_jobs(world, twice=True, duplicate_first=True)
    # THEN every follower has one notification, queued once for delivery
    assert _emails_per_person(world) == Counter(dict.fromkeys(people, 1))
    assert sorted(world.queue.messages) == sorted(world.outbox.items)
    # AND the progress counts each job once: all done, and the notifications written equal those in the outbox
    progress = world.adapters.progress.get(event.id)
    assert progress is not None
    assert progress.finished
    assert progress.planned == progress.done > 1
    assert progress.created == len(world.outbox.items) == len(people)


def test_no_job_reads_more_than_one_unit_of_entries(world: World):
    _followers(world, UNIT * 3)
    world.fanout.handle_events([_announcement()])
    largest = 0
    while messages := _jobs(world).drain():
        for body in messages:
            before = world.subscriptions.items_read
            world.services.jobs.run(body)
            largest = max(largest, world.subscriptions.items_read - before)
    assert 0 < largest <= UNIT


def test_a_small_audience_is_told_inline_and_an_announcement_still_shows_its_progress(world: World):
    people = _followers(world, 10)
    event = _announcement()
    result = world.fanout.handle_events([event])
    assert (result.created, result.jobs) == (10, 0)
    assert _jobs(world).messages == []
    progress = world.adapters.progress.get(event.id)
    assert progress is not None
    assert (progress.planned, progress.done, progress.created, progress.finished) == (1, 1, len(people), True)


def test_the_parties_of_a_public_case_hear_as_parties_though_they_also_follow_its_topic_through_a_job(world: World):
    # GIVEN a public case whose parties follow it and also its topic, with more topic followers than one unit
    case = a_case(zaaktype_id=VERGUNNING, gemeenten=(UTRECHT,))
    _follow_case(world, case, MARK, FATIMA)
    topic = world.services.catalogue.get(case.zaaktype).onderwerp
    for person in (MARK, FATIMA, *(f"pu-{n:06d}" for n in range(UNIT + 10))):
        world.follow(subscription(Interest.topic_anywhere(topic), person), channels=EMAIL_ONLY)
    old, new = _change(case, "besluit-genomen")
    # WHEN the change is fanned out and the jobs run
    result = world.fanout.handle_change(old, new, T0)
    _run_jobs(world)
    # THEN the parties' e-mails say party; every follower has one e-mail
    assert result.jobs >= 1
    emails = [n for n in world.outbox.items.values() if n.channel is Channel.EMAIL]
    by_person = {n.subscriber_id: n for n in emails}
    assert len(by_person) == len(emails) == UNIT + 12
    assert by_person[MARK].audience is Audience.PARTY
    assert by_person[FATIMA].audience is Audience.PARTY
    assert by_person["pu-000000"].audience is Audience.FOLLOWER


def test_a_job_travels_as_json_and_has_the_same_id_however_often_it_is_planned():
    job = FanOutJob(_announcement(), Interest.topic_anywhere(TOPIC).key, "pu-0001#sub-x")
    again = FanOutJob.from_json(json.loads(json.dumps(job.to_json())))
    assert again == job
    assert again.id == job.id


def test_progress_counts_a_job_once():
    progress = InMemoryProgress()
    progress.plan("e-1", "a-1", ["inline", "j-1"])
    progress.plan("e-1", "a-1", ["j-1"])
    assert progress.finish("e-1", "j-1", created=5, held=1)
    assert not progress.finish("e-1", "j-1", created=5, held=1)
    found = progress.get("e-1")
    assert found is not None
    assert (found.planned, found.done, found.created, found.held, found.finished) == (2, 1, 5, 1, False)


# The digest, sharded -------------------------------------------------------------------------------------------

SEVEN = T0 + timedelta(hours=20)


def _held(world: World, people: list[str], per_person: int = 2) -> None:
    for person in people:
        for n in range(per_person):
            identifier = f"{abs(hash((person, n))):032x}"[:32]
            world.outbox.add_if_absent(
                Notification(
                    id=identifier,
                    event_id=f"ann-{n}/announcement/ann-{n}",
                    event_kind=EventKind.ANNOUNCEMENT,
                    case_id=f"ann-{n}",
                    ref=f"ann-{n}",
                    subscriber_id=person,
                    channel=Channel.EMAIL,
                    language=Language.NL,
                    audience=Audience.FOLLOWER,
                    status=NotificationStatus.HELD,
                    created_at=T0,
                    updated_at=T0,
                    expires_at=T0 + timedelta(days=30),
                    hold_until=SEVEN,
                )
            )


def test_a_digest_run_for_three_times_the_cap_splits_into_jobs_none_handling_more_than_the_cap(world: World):
    cap = 20
    digests = DigestRun(world.outbox, world.queue, world.clock, timedelta(days=30), jobs=world.adapters.jobs, group=cap)
    world.services.__dict__["digest_run"] = digests  # the jobs consumer uses this run
    # GIVEN three times the cap of people in ONE shard, each with two held e-mails due at seven
    people = [p for p in (f"pu-{n:05d}" for n in range(10_000)) if held_shard_of(p) == 3][: 3 * cap]
    _held(world, people)
    world.clock.advance(hours=20)
    # WHEN the schedule runs: one job per shard
    assert digests.schedule() == HELD_SHARDS
    # THEN running the jobs, none handles more than the cap of people
    handled = []
    while messages := _jobs(world).drain():
        for body in messages:
            handled.append(world.services.jobs.run(body).subscribers)
    assert max(handled) == cap
    assert sum(handled) == len(people)
    assert sum(1 for n in handled if n) == 3
    # AND each person got one digest of their two items
    digest_mail = [n for n in world.outbox.items.values() if n.event_kind is EventKind.DIGEST]
    assert Counter(n.subscriber_id for n in digest_mail) == Counter(dict.fromkeys(people, 1))
    # AND a second round sends nothing new
    digests.schedule()
    while messages := _jobs(world).drain():
        for body in messages:
            assert world.services.jobs.run(body).digests == 0


def test_held_items_are_sharded_by_subscriber():
    assert {held_shard_of(MARK)} == {held_shard_of(MARK) for _ in range(3)}
    assert len({held_shard_of(f"pu-{n}") for n in range(1000)}) == HELD_SHARDS
