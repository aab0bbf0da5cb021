"""RateLimiter: the in-memory limiter and DynamoDB's sliding window keep the same promises."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.services.ports import RateLimiter
from tests.factories import T0

MINUTE = timedelta(minutes=1)


def test_requests_up_to_the_limit_are_allowed_and_the_next_one_waits_for_the_window(limiter: RateLimiter):
    # GIVEN three requests allowed per minute, made ten seconds apart
    answers = [limiter.hit("fp-a", limit=3, window=MINUTE, now=T0 + timedelta(seconds=10 * i)) for i in range(3)]
    # WHEN a fourth comes at thirty seconds
    fourth = limiter.hit("fp-a", limit=3, window=MINUTE, now=T0 + timedelta(seconds=30))
    # THEN the first three were allowed, and the fourth waits until the first leaves the window
    assert answers == [None, None, None]
    assert fourth == 30


def test_a_refused_request_does_not_take_a_place(limiter: RateLimiter):
    for second in (0, 1):
        limiter.hit("fp-a", limit=2, window=MINUTE, now=T0 + timedelta(seconds=second))
    assert limiter.hit("fp-a", limit=2, window=MINUTE, now=T0 + timedelta(seconds=30)) is not None
    assert limiter.hit("fp-a", limit=2, window=MINUTE, now=T0 + timedelta(seconds=60)) is None


def test_the_window_slides(limiter: RateLimiter):
    limiter.hit("fp-a", limit=2, window=MINUTE, now=T0)
    limiter.hit("fp-a", limit=2, window=MINUTE, now=T0 + timedelta(seconds=40))
    assert limiter.hit("fp-a", limit=2, window=MINUTE, now=T0 + timedelta(seconds=61)) is None
    assert limiter.hit("fp-a", limit=2, window=MINUTE, now=T0 + timedelta(seconds=62)) == 38


def test_keys_are_counted_apart(limiter: RateLimiter):
    assert limiter.hit("fp-a", limit=1, window=MINUTE, now=T0) is None
    assert limiter.hit("fp-b", limit=1, window=MINUTE, now=T0) is None
    assert limiter.hit("fp-a", limit=1, window=MINUTE, now=T0) == 60
