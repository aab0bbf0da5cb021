"""Sliding-window limits: a burst at the end of one clock hour still counts at the start of the next, and
Retry-After is exactly when a place comes free."""

from __future__ import annotations

import pytest

from chalicelib.domain.ratelimit import admit

HOUR = 3600.0


def _requests(moments: list[float], limit: int = 3) -> tuple[list[float], list[int | None]]:
    """Send requests at ``moments`` one after another; what is kept, and each answer (None: allowed)."""
    kept: list[float] = []
    answers: list[int | None] = []
    for now in moments:
        new, wait = admit(kept, now, limit, HOUR)
        kept = new if new is not None else kept
        answers.append(wait)
    return kept, answers


def test_the_first_three_requests_in_an_hour_are_allowed_and_the_fourth_is_not():
    _, answers = _requests([0, 10, 20, 30])
    assert answers[:3] == [None, None, None]
    assert answers[3] == 3600 - 30  # until the first one is an hour old


def test_a_burst_just_before_the_clock_hour_still_counts_just_after_it():
    # GIVEN three requests in the last seconds before 10:00  WHEN three more come just after 10:00
    _, answers = _requests([3597, 3598, 3599, 3601, 3602, 3603])
    # THEN none of them is allowed (a fixed clock-hour window would allow all three)
    assert answers[3:] == [3596, 3595, 3594]


def test_a_request_exactly_at_the_retry_after_moment_is_allowed_and_one_second_earlier_is_not():
    kept, answers = _requests([100, 200, 300, 400])
    wait = answers[-1]
    assert wait is not None
    assert admit(kept, 400 + wait, 3, HOUR)[1] is None
    assert admit(kept, 400 + wait - 1, 3, HOUR)[1] == 1


def test_refused_requests_do_not_count():
    kept, answers = _requests([0, 1, 2, *range(3, 3000, 100), 3600.5])
    assert answers[-1] is None
    assert kept == [1, 2, 3600.5]


@pytest.mark.parametrize("limit", [1, 3, 30])
def test_no_more_than_the_limit_is_ever_kept(limit):
    kept, _ = _requests([float(n) for n in range(0, 20000, 7)], limit)
    assert len(kept) <= limit


def test_moments_from_the_future_or_long_ago_are_ignored():
    assert admit([-10_000.0, 99_999.0], 0.0, 1, HOUR) == ([0.0], None)


def test_a_source_is_counted_by_ipv4_address_or_ipv6_64_network():
    from chalicelib.domain.ratelimit import source_key

    assert source_key("198.51.100.7") == "198.51.100.7"
    assert source_key("2001:db8:1:2:aaaa::1") == source_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert source_key("2001:db8:1:3::1") != source_key("2001:db8:1:2::1")
    assert source_key("unknown") == "unknown"
