"""Announcements: written and submitted by one behandelaar, approved by another, and told once when approved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.announcements import (
    Announcement,
    AnnouncementStatus,
    announcement_event,
    announcement_events,
    approve,
    reject,
    revise,
    submit,
)
from chalicelib.domain.cases import Link, Medewerker
from chalicelib.domain.errors import CaseRuleError
from chalicelib.domain.events import EventKind, Place, interests_for
from chalicelib.domain.geo import point_keys
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Interest, InterestKind
from tests.factories import ANNA, T0

BOB = Medewerker("mdw-bob-jansen", "Bob Jansen")
PLACE = Place(("GM1581",))
SUBMITTED_AT = T0 + timedelta(hours=1)
DECIDED_AT = T0 + timedelta(hours=2)
NEW_PLACE = Place(("GM0344", "GM1581"))
LINK = Link("https://www.provincie-utrecht.nl/grond", "Meer over de grond")


def _announcement(status: AnnouncementStatus = AnnouncementStatus.CONCEPT) -> Announcement:
    announcement = Announcement(
        id="ann-1",
        title="Grond beschikbaar",
        text="Bij Doorn komt landbouwgrond vrij.",
        topic="grondbeheer",
        place=PLACE,
        author=ANNA,
        created_at=T0,
    )
    return replace(announcement, status=status)


def _revise(announcement: Announcement, by: Medewerker = ANNA) -> Announcement:
    return revise(announcement, by, title="Nieuwe titel", text="Nieuwe tekst", topic="natuur", place=NEW_PLACE, link=LINK)


def _rule(error: pytest.ExceptionInfo[CaseRuleError]) -> str:
    return error.value.rule


# --- revise ------------------------------------------------------------------------------------------------------


def test_the_author_revises_a_concept():
    revised = _revise(_announcement())

    assert (revised.title, revised.text, revised.topic, revised.place, revised.link, revised.status) == (
        "Nieuwe titel",
        "Nieuwe tekst",
        "natuur",
        NEW_PLACE,
        LINK,
        AnnouncementStatus.CONCEPT,
    )


def test_revising_a_rejected_announcement_makes_it_a_concept_again():
    assert _revise(_announcement(AnnouncementStatus.REJECTED)).status is AnnouncementStatus.CONCEPT


@pytest.mark.parametrize("status", [AnnouncementStatus.SUBMITTED, AnnouncementStatus.APPROVED])
def test_a_submitted_or_approved_announcement_cannot_be_revised(status):
    with pytest.raises(CaseRuleError) as error:
        _revise(_announcement(status))

    assert _rule(error) == "announcement_locked"
    assert error.value.params["status"] == status.value


def test_only_the_author_revises():
    with pytest.raises(CaseRuleError) as error:
        _revise(_announcement(), by=BOB)

    assert _rule(error) == "not_the_author"


# --- submit ------------------------------------------------------------------------------------------------------


def test_the_author_submits_a_concept():
    submitted = submit(_announcement(), ANNA, SUBMITTED_AT)

    assert (submitted.status, submitted.submitted_at) == (AnnouncementStatus.SUBMITTED, SUBMITTED_AT)


def test_only_the_author_submits():
    with pytest.raises(CaseRuleError) as error:
        submit(_announcement(), BOB, SUBMITTED_AT)

    assert _rule(error) == "not_the_author"


def test_submitting_twice_changes_nothing():
    submitted = submit(_announcement(), ANNA, SUBMITTED_AT)

    assert submit(submitted, ANNA, SUBMITTED_AT + timedelta(hours=1)) == submitted


@pytest.mark.parametrize("status", [AnnouncementStatus.APPROVED, AnnouncementStatus.REJECTED])
def test_an_approved_or_rejected_announcement_cannot_be_submitted_as_it_is(status):
    with pytest.raises(CaseRuleError) as error:
        submit(_announcement(status), ANNA, SUBMITTED_AT)

    assert _rule(error) == "announcement_locked"


def test_a_rejected_announcement_revised_and_submitted_again_loses_the_old_rejection_reason():
    rejected = reject(submit(_announcement(), ANNA, SUBMITTED_AT), BOB, DECIDED_AT, "Plaats klopt niet")

    resubmitted = submit(_revise(rejected), ANNA, DECIDED_AT + timedelta(hours=1))

    assert (resubmitted.status, resubmitted.rejection_reason) == (AnnouncementStatus.SUBMITTED, None)


# --- approve and reject: four eyes -------------------------------------------------------------------------------


def test_a_colleague_approves_a_submitted_announcement():
    approved = approve(_announcement(AnnouncementStatus.SUBMITTED), BOB, DECIDED_AT)

    assert (approved.status, approved.decided_by, approved.decided_at) == (AnnouncementStatus.APPROVED, BOB, DECIDED_AT)


@pytest.mark.parametrize("decide", [approve, lambda a, by, at: reject(a, by, at, "Eigen werk")], ids=["approve", "reject"])
def test_the_author_never_decides_on_their_own_announcement(decide):
    with pytest.raises(CaseRuleError) as error:
        decide(_announcement(AnnouncementStatus.SUBMITTED), ANNA, DECIDED_AT)

    assert _rule(error) == "four_eyes"


def test_the_author_is_recognised_by_employee_id_not_by_name():
    renamed_anna = Medewerker(ANNA.id, "A. de Boer-Bakker")

    with pytest.raises(CaseRuleError) as error:
        approve(_announcement(AnnouncementStatus.SUBMITTED), renamed_anna, DECIDED_AT)

    assert _rule(error) == "four_eyes"


@pytest.mark.parametrize("status", [AnnouncementStatus.CONCEPT, AnnouncementStatus.REJECTED])
def test_an_announcement_that_was_not_submitted_cannot_be_approved(status):
    with pytest.raises(CaseRuleError) as error:
        approve(_announcement(status), BOB, DECIDED_AT)

    assert _rule(error) == "not_submitted"


def test_approving_twice_changes_nothing():
    approved = approve(_announcement(AnnouncementStatus.SUBMITTED), BOB, DECIDED_AT)

    assert approve(approved, Medewerker("mdw-carla", "Carla"), DECIDED_AT + timedelta(hours=1)) == approved


def test_a_colleague_rejects_a_submitted_announcement_with_a_reason():
    rejected = reject(_announcement(AnnouncementStatus.SUBMITTED), BOB, DECIDED_AT, "Plaats klopt niet")

    assert (rejected.status, rejected.decided_by, rejected.decided_at, rejected.rejection_reason) == (
        AnnouncementStatus.REJECTED,
        BOB,
        DECIDED_AT,
        "Plaats klopt niet",
    )


@pytest.mark.parametrize("status", [AnnouncementStatus.CONCEPT, AnnouncementStatus.APPROVED, AnnouncementStatus.REJECTED])
def test_only_a_submitted_announcement_can_be_rejected(status):
    with pytest.raises(CaseRuleError) as error:
        reject(_announcement(status), BOB, DECIDED_AT, "Te laat")

    assert _rule(error) == "not_submitted"


# --- the event ---------------------------------------------------------------------------------------------------


def test_an_approved_announcement_is_public_news_about_its_topic_and_place():
    approved = approve(_announcement(AnnouncementStatus.SUBMITTED), BOB, DECIDED_AT)

    event = announcement_event(approved)

    assert (event.kind, event.public, event.topic, event.place, event.case_id, event.occurred_at) == (
        EventKind.ANNOUNCEMENT,
        True,
        "grondbeheer",
        PLACE,
        "ann-1",
        DECIDED_AT,
    )


def test_the_event_of_an_announcement_has_the_same_id_however_often_it_is_derived():
    approved = approve(_announcement(AnnouncementStatus.SUBMITTED), BOB, DECIDED_AT)
    other = replace(approved, id="ann-2")

    assert announcement_event(approved).id == announcement_event(approved).id
    assert announcement_event(approved).id != announcement_event(other).id


def test_an_announcement_goes_out_when_a_write_makes_it_approved():
    submitted = _announcement(AnnouncementStatus.SUBMITTED)
    approved = approve(submitted, BOB, DECIDED_AT)

    assert announcement_events(submitted, approved) == [announcement_event(approved)]
    assert announcement_events(None, approved) == [announcement_event(approved)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (AnnouncementStatus.APPROVED, AnnouncementStatus.APPROVED),
        (AnnouncementStatus.CONCEPT, AnnouncementStatus.SUBMITTED),
        (AnnouncementStatus.SUBMITTED, AnnouncementStatus.REJECTED),
        (None, AnnouncementStatus.CONCEPT),
        (AnnouncementStatus.APPROVED, None),
    ],
    ids=["approved-written-again", "submitted", "rejected", "new-concept", "removed"],
)
def test_any_other_write_tells_nothing(old, new):
    before = _announcement(old) if old else None
    after = _announcement(new) if new else None

    assert announcement_events(before, after) == []


def test_an_announcement_reaches_its_gemeenten_and_topic_but_no_case():
    event = announcement_event(approve(_announcement(AnnouncementStatus.SUBMITTED), BOB, DECIDED_AT))

    assert interests_for(event) == [
        Interest.gemeente("GM1581"),
        Interest.gemeente("GM1581", "grondbeheer"),
        Interest.topic_anywhere("grondbeheer"),
    ]


def test_an_announcement_at_a_point_reaches_the_cells_of_that_point_and_no_case():
    point = Point(lat=52.04, lon=5.37)
    announcement = replace(_announcement(AnnouncementStatus.APPROVED), place=Place(("GM1581",), point))

    interests = interests_for(announcement_event(announcement))

    assert InterestKind.CASE not in {i.kind for i in interests}
    assert {i.value for i in interests if i.kind is InterestKind.CELL} == point_keys(point)
