"""Demo data from the story (docs: STORY.md): Mark and his initiative group's subsidy case in gemeente
Utrechtse Heuvelrug, an unrelated applicant, a public permit case, followers of topics and areas across the
province, and the recent past: cases of other applicants decided over the last months, most of them with an
answer to the satisfaction question, so the staff page Tevredenheid (and Hoe snel zijn wij?) shows figures.

Cases are imported the way a zaaksysteem import would write them (one write with their history), so they
flow through the same stream → outbox → delivery path as everything else.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib import wiring
from chalicelib.domain import cases as rules
from chalicelib.domain.cases import Case, DocumentRequest, Location, Medewerker, StatusEntry
from chalicelib.domain.geo import Circle
from chalicelib.domain.language import Language
from chalicelib.domain.reference import Point
from chalicelib.domain.satisfaction import Answer, respondent_key, tally
from chalicelib.domain.servicenorms import last_months
from chalicelib.domain.subscriptions import (
    Channel,
    Indexed,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
    automatic_subscriptions,
)
from chalicelib.domain.workdays import AMSTERDAM, amsterdam_date

ANNA = Medewerker("mdw-anna-bakker", "Anna Bakker")
PIETER = Medewerker("mdw-pieter-jansen", "Pieter Jansen")
MARK = "pu-mark-3f9a1c"
FATIMA = "pu-fatima-8d21e4"
JAN = "pu-jan-51c7b0"
ZANDWINNING = "ehk-zandwinning-eemland-7c2d"
EMAIL_ONLY = frozenset({Channel.EMAIL})
BOTH = frozenset({Channel.EMAIL, Channel.PORTAL})
TOPICS = ("subsidies", "vergunningen", "grondbeheer", "wegen-en-werkzaamheden", "natuur-en-landschap", "participatie-en-beleid")


def _id() -> str:
    return str(uuid.uuid4())


def _import(case: Case, now: datetime) -> Case:
    """Stored with the number it has, as an import would: the counter is moved past it first, so that a case
    registered later never gets it (and the store refuses a number taken already, whoever wrote it)."""
    prefix, year, number = case.case_number.rsplit("-", 2)
    wiring.adapters().cases.advance_case_number(prefix, int(year), int(number))
    return wiring.adapters().cases.create(case, automatic_subscriptions(case, now))


def _history(case: Case, *steps: tuple[str, datetime]) -> Case:
    zaaktype = wiring.catalogue_data().get(case.zaaktype)
    for statustype, at in steps:
        case = rules.set_status(case, zaaktype, StatusEntry(_id(), statustype, at, case.behandelaar.id))
    return case


def _open(
    zaaktype: str,
    *,
    number: int,
    omschrijving: str,
    start: datetime,
    behandelaar: Medewerker,
    initiator: str,
    co_initiators: tuple[str, ...],
    gemeenten: tuple[str, ...],
    point: Point | None = None,
) -> Case:
    catalogue = wiring.catalogue_data()
    definition = catalogue.get(zaaktype)
    return rules.open_case(
        case_id=_id(),
        case_number=f"{definition.case_number_prefix}-{start.year}-{number:06d}",
        zaaktype=definition,
        omschrijving=omschrijving,
        startdatum=amsterdam_date(start),
        registered_at=start,
        behandelaar=behandelaar,
        initiator=initiator,
        co_initiators=co_initiators,
        location=Location(gemeenten, point),
        first_status_id=_id(),
    )


def seed(now: datetime, *, followers: int = 60) -> dict[str, str]:
    """Write the demo; returns the ids a walkthrough needs."""
    # The story's people chose to hear at any time of day, so the walkthrough works at night too.
    people = [
        Subscriber(MARK, "mark.visser@example.org", Language.NL, BOTH, now, quiet_hours=False),
        Subscriber(FATIMA, "fatima.elamrani@example.org", Language.EN, BOTH, now, quiet_hours=False),
        Subscriber(JAN, "jan.degroot@example.org", Language.NL, BOTH, now, quiet_hours=False),
        Subscriber(ZANDWINNING, "vergunningen@zandwinning-eemland.example.nl", Language.NL, BOTH, now, quiet_hours=False),
    ]
    for person in people:
        wiring.adapters().subscribers.put(person)

    started = now - timedelta(days=21)
    mark_case = _open(
        "subsidie-duurzame-recreatie",
        number=123,
        omschrijving="Duurzame recreatie op de Utrechtse Heuvelrug",
        start=started,
        behandelaar=ANNA,
        initiator=MARK,
        co_initiators=(FATIMA,),
        gemeenten=("GM1581",),
        point=Point(52.0466, 5.3690),
    )
    mark_case = _history(mark_case, ("in-behandeling", started + timedelta(days=6)))
    mark_case = replace(
        mark_case,
        documents=(
            DocumentRequest(_id(), "Projectplan", started + timedelta(days=2), ANNA.id, None, started + timedelta(days=4)),
            DocumentRequest(
                _id(), "Begroting van het project", started + timedelta(days=6), ANNA.id, amsterdam_date(now + timedelta(days=14))
            ),
        ),
    )
    mark_case = _import(mark_case, now)

    jan_case = _open(
        "melding-provinciale-weg",
        number=88,
        omschrijving="Kapot verkeerslicht op de N221",
        start=now - timedelta(days=3),
        behandelaar=PIETER,
        initiator=JAN,
        co_initiators=(),
        gemeenten=("GM0307",),
        point=Point(52.1700, 5.4100),
    )
    jan_case = _import(jan_case, now)

    permit = _open(
        "ontgrondingsvergunning",
        number=41,
        omschrijving="Verdieping zandwinplas Eemland",
        start=now - timedelta(days=30),
        behandelaar=PIETER,
        initiator=ZANDWINNING,
        co_initiators=(),
        gemeenten=("GM0355", "GM0310"),
        point=Point(52.1120, 5.2480),
    )
    permit = _import(_history(permit, ("in-behandeling", now - timedelta(days=20))), now)

    # the recent past before the followers: a case written into small tables costs the local stack little
    _decided_with_answers(now)
    _follow(now, followers)
    return {
        "mark_case": mark_case.id,
        "mark_case_number": mark_case.case_number,
        "jan_case": jan_case.id,
        "permit_case": permit.id,
    }


def _subscribe(subscriber: Subscriber, scope: Scope, now: datetime, origin: SubscriptionOrigin = SubscriptionOrigin.SELF) -> None:
    subscription = Subscription(_id(), subscriber.id, scope, origin, SubscriptionState.ACTIVE, now)
    wiring.adapters().subscriptions.save(Indexed.of(subscription))


def _follow(now: datetime, count: int) -> None:
    """The story's followers, and more spread over the province roughly by population: gemeenten, topics,
    topics in a gemeente, and circles around a point."""
    mark = wiring.adapters().subscribers.get(MARK)
    if mark is None:
        raise LookupError(MARK)
    _subscribe(mark, Scope(topics=frozenset({"grondbeheer"}), gemeenten=frozenset({"GM1581"})), now)
    zeist = Subscriber("anon-zeist-wegen-4e1b", "wegen.zeist@example.org", Language.NL, EMAIL_ONLY, now, quiet_hours=False)
    wiring.adapters().subscribers.put(zeist)
    near_zeist = Circle(Point(52.0893, 5.2320), 3000)
    _subscribe(zeist, Scope(topics=frozenset({"wegen-en-werkzaamheden"}), area=near_zeist), now, SubscriptionOrigin.ANONYMOUS)
    gemeenten = list(wiring.reference_data().gemeenten())
    chooser = random.Random(26)  # noqa: S311 - demo data, not security
    weights = [g.population for g in gemeenten]
    for index in range(count):
        language = chooser.choice([Language.NL, Language.NL, Language.EN])
        follower = Subscriber(f"volger-{index:03d}", f"volger{index:03d}@example.org", language, EMAIL_ONLY, now)
        wiring.adapters().subscribers.put(follower)
        gemeente = chooser.choices(gemeenten, weights=weights)[0]
        topic = frozenset({chooser.choice(TOPICS)})
        shape = index % 4
        if shape == 0:
            scope = Scope(gemeenten=frozenset({gemeente.code}))
        elif shape == 1:
            scope = Scope(topics=topic)
        elif shape == 2:
            scope = Scope(topics=topic, gemeenten=frozenset({gemeente.code}))
        else:
            centre = Point(gemeente.centre.lat + chooser.uniform(-0.02, 0.02), gemeente.centre.lon + chooser.uniform(-0.03, 0.03))
            scope = Scope(area=Circle(centre, chooser.choice([500, 1000, 2000, 5000])))
        _subscribe(follower, scope, now)


# The recent past: per product, how many cases were decided in each of the last three months (oldest first), so that
# some months have enough answers to show and some too few (the small-number rule).
DECIDED_PER_MONTH = {
    "subsidie-duurzame-recreatie": (6, 3, 6),
    "klacht": (6, 5, 2),
}
FINAL_STATUS = {"subsidie-duurzame-recreatie": "besluit-genomen", "klacht": "afgehandeld"}
SCORE_WEIGHTS = {"subsidie-duurzame-recreatie": (1, 1, 2, 5, 4), "klacht": (3, 3, 3, 3, 1)}
NOT_ANSWERED = 7  # every seventh applicant does not answer
HENK = Medewerker("mdw-henk-smit", "Henk Smit")  # a colleague of Anna's: the recent past is not on her work list
COMMENTS = (
    "Duidelijke brief, ik wist meteen waar ik aan toe was.",
    "Het duurde langer dan ik had verwacht.",
    "Fijn dat ik steeds kon zien hoe het met mijn aanvraag ging.",
    "De behandelaar was goed bereikbaar en dacht mee.",
    "Ik moest een document twee keer sturen. Dat kan beter.",
    "Snel opgelost, dank u wel.",
    "Ik begreep niet goed waarom het besluit zo uitviel.",
    "Het formulier was makkelijk in te vullen.",
)


def _decided_with_answers(now: datetime) -> None:
    """Cases of other applicants decided over the last three months, and most of their answers to the
    satisfaction question: the same cases and answers for the same ``now``. The cases flow through the stream (the
    servicenorm figures count them); each month's answers are written whole, with their recount."""
    store = wiring.adapters().satisfaction
    if store is None:
        return
    chooser = random.Random(42)  # noqa: S311 - demo data, not security
    months = last_months(amsterdam_date(now), 3)
    answers: dict[tuple[str, str], dict[tuple[str, str], Answer]] = {}
    count = 0
    for zaaktype, counts in DECIDED_PER_MONTH.items():
        number = 1
        for month, decided in zip(months, counts, strict=True):
            year, month_number = (int(part) for part in month.split("-"))
            for n in range(decided):
                closed_at = datetime(year, month_number, min(3 + n * 4, 27), 14, 0, tzinfo=AMSTERDAM)
                closed_at = min(closed_at, now - timedelta(hours=2))  # this month's: before now
                start = closed_at - timedelta(days=chooser.randint(20, 70))
                initiator = f"pu-demo-{zaaktype[:3]}-{number:03d}"
                case = _open(
                    zaaktype,
                    number=number,
                    omschrijving="Klacht over de afhandeling" if zaaktype == "klacht" else "Aanvraag subsidie",
                    start=start,
                    behandelaar=HENK,
                    initiator=initiator,
                    co_initiators=(),
                    gemeenten=(chooser.choice(["GM0344", "GM0307", "GM0355", "GM1581"]),),
                )
                number += 1
                steps = (("in-behandeling", start + timedelta(days=2)), (FINAL_STATUS[zaaktype], closed_at))
                case = _import(_history(case, *steps), now)
                count += 1
                score = chooser.choices((1, 2, 3, 4, 5), weights=SCORE_WEIGHTS[zaaktype])[0]
                comment = chooser.choice(COMMENTS) if chooser.random() < 0.5 else None
                if count % NOT_ANSWERED == 0 or case.closed_on is None:
                    continue
                decided_in = case.closed_on.strftime("%Y-%m")
                answered_at = min(closed_at + timedelta(days=chooser.randint(0, 5), hours=1), now)
                key = respondent_key(case.id, initiator, wiring.adapters().token_keys)
                answer = Answer(zaaktype, decided_in, score, comment, answered_at)
                answers.setdefault((zaaktype, decided_in), {})[(case.id, key)] = answer
    for (zaaktype, month), kept in answers.items():
        store.replace_month(tally(zaaktype, month, kept.values()), kept)
