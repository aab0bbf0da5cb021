"""The index is built off the request, in bounded chunks: a subscription write stores its definition only; the
indexer (the subscriptions table's stream) writes and removes entries at most ``CHUNK`` at a time, converges
however often a record comes, and never leaves an entry the person cannot see and stop."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.events import CaseEvent, EventKind, Place
from chalicelib.domain.geo import Circle
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Scope, SubscriptionState, index_interests
from chalicelib.services.indexing import CHUNK
from tests.factories import MARK
from tests.unit.services.conftest import MARK_PRINCIPAL, World

UTRECHT = Point(52.0907, 5.1214)
TEN_KM = Scope(topics=frozenset({"vergunningen", "grondbeheer"}), area=Circle(UTRECHT, 10_000))


def _entries_of(world: World, subscription_id: str) -> set[str]:
    return {
        key
        for key, members in world.subscriptions.entries.items()
        for m in members.values()
        if m.subscription_id == subscription_id
    }


def _news() -> CaseEvent:
    return CaseEvent(
        "ann-1/announcement/ann-1",
        EventKind.ANNOUNCEMENT,
        "ann-1",
        "ann-1",
        datetime(2026, 10, 5, tzinfo=UTC),
        True,
        "vergunningen",
        Place((), UTRECHT),
    )


def _one_record(world: World) -> None:
    """The stream hands the indexer the oldest record waiting."""
    world.services.indexer.catch_up(world.subscriptions.changed.pop(0))


def test_following_a_10_km_circle_writes_only_its_definition_in_the_request(world: World):
    before = world.subscriptions.writes

    followed = world.subscription_service.follow(MARK_PRINCIPAL, TEN_KM)

    # THEN one write, whatever the size of the area; the index is still to come and the person sees that
    assert world.subscriptions.writes - before == 1
    assert _entries_of(world, followed.id) == set()
    [mine] = world.subscription_service.mine(MARK_PRINCIPAL)
    assert (mine.state, mine.indexed) == (SubscriptionState.ACTIVE, False)


def test_the_index_is_built_in_chunks_and_is_complete_at_the_end(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, TEN_KM)
    wanted = {i.key for i in index_interests(TEN_KM)}
    assert len(wanted) > 5 * CHUNK  # GIVEN an area needing several chunks

    # WHEN the stream hands over the definition's first record
    before = world.subscriptions.writes
    _one_record(world)

    # THEN one chunk is written and the progress noted (that write is the record that continues the work)
    assert len(_entries_of(world, followed.id)) == CHUNK
    assert world.subscriptions.writes - before == CHUNK + 1
    half_built = world.subscriptions.get(followed.id)
    assert half_built is not None
    assert (half_built.index_progress, half_built.indexed) == (CHUNK, False)
    assert world.subscriptions.changed == [followed.id]

    # WHEN the stream goes on until nothing changes
    records = world.index()

    # THEN the index is exactly the area's, the subscription is shown as set up, and no record wrote more
    assert _entries_of(world, followed.id) == wanted
    chunks = -(-len(wanted) // CHUNK)
    assert records == (chunks - 1) + 1  # the chunks left, and the record of "indexed", which changes nothing
    [mine] = world.subscription_service.mine(MARK_PRINCIPAL)
    assert mine.indexed
    assert MARK in {r.subscriber_id for r in world.fanout.audience(_news())[0]}


def test_a_record_processed_twice_or_a_crash_before_progress_converges_to_the_same_index(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, TEN_KM)
    # GIVEN the first chunk was written but the progress was never noted (a crash in between)
    world.subscriptions.changed.clear()
    world.services.indexer.catch_up(followed.id)
    world.subscriptions.changed.clear()
    stored = world.subscriptions.get(followed.id)
    assert stored is not None
    world.subscriptions.definitions_by_id[followed.id] = stored.__class__(**{**stored.__dict__, "index_progress": 0})

    # WHEN the same record comes again, and again, and the stream goes on
    world.services.indexer.catch_up(followed.id)
    world.services.indexer.catch_up(followed.id)
    world.index()

    # THEN the index is exactly the area's
    assert _entries_of(world, followed.id) == {i.key for i in index_interests(TEN_KM)}


def test_stopping_half_way_cancels_at_once_and_removes_every_entry_after(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, TEN_KM)
    _one_record(world)
    assert _entries_of(world, followed.id)

    # WHEN Mark stops while his index is half built
    world.subscription_service.stop(MARK_PRINCIPAL, followed.id)

    # THEN the definition is cancelled at once (delivery refuses it), and the stream removes every entry
    stopped = world.subscriptions.get(followed.id)
    assert stopped is not None
    assert stopped.state is SubscriptionState.CANCELLED
    world.index()
    assert _entries_of(world, followed.id) == set()
    assert MARK not in {r.subscriber_id for r in world.fanout.audience(_news())[0]}


def test_a_change_before_the_previous_one_was_indexed_leaves_no_entry_of_any_earlier_scope(world: World):
    followed = world.subscription_service.follow(MARK_PRINCIPAL, TEN_KM)
    world.index()
    small = Scope(topics=frozenset({"vergunningen"}), area=Circle(UTRECHT, 500))
    gemeente = Scope(topics=frozenset({"subsidies"}), gemeenten=frozenset({"GM0344"}))

    # WHEN Mark changes to a small circle, and before that is indexed to a gemeente
    world.subscription_service.change(MARK_PRINCIPAL, followed.id, small)
    _one_record(world)
    world.subscription_service.change(MARK_PRINCIPAL, followed.id, gemeente)
    world.index()

    # THEN only the last scope's entries are left
    assert _entries_of(world, followed.id) == {i.key for i in index_interests(gemeente)}
    current = world.subscriptions.get(followed.id)
    assert current is not None
    assert (current.revision, current.indexed, current.previous_scopes) == (3, True, ())
