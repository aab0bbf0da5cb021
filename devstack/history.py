"""A year of history for the local stack, so the pages that measure have something to show: closed cases of three
products decided over the last twelve months (the servicenorm charts on /hoe-snel-zijn-wij and the product pages),
and fourteen weeks of questions by onderwerp with two veelgestelde vragen (the analysis on /werk/vragen).

The figures are made up but plausible and the same on every run (one seeded random generator): most subsidies are
decided within the servicenorm of 8 weeks, some wait for documents (opschorting) and a few are extended; a small
month shows as "te weinig zaken". Questions about the begroting came in often until the veelgestelde vraag about it
was published six weeks ago, and less often since.

The cases are imported as the demo's are (one write with their history). They are history: nobody is told of them
now, so the local stack goes on from the cases stream's end after writing them and rebuilds their servicenorm figures
from the table (``recompute-servicenorms``). Their applicants are pseudonymous subjects.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from chalicelib import wiring
from chalicelib.domain import cases as rules
from chalicelib.domain.cases import Case, Extension, Location, Medewerker, StatusEntry, Suspension
from chalicelib.domain.catalogue import Zaaktype
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.language import Localized
from chalicelib.domain.question_topics import Faq
from chalicelib.domain.workdays import AMSTERDAM, amsterdam_date
from chalicelib.services.question_topics import tally_for

ANNA = Medewerker("mdw-anna-bakker", "Anna Bakker")
PIETER = Medewerker("mdw-pieter-jansen", "Pieter Jansen")
SANNE = Medewerker("mdw-sanne-deboer", "Sanne de Boer")
FIRST_NUMBER = 500  # the history's case numbers start here, past the demo's
WEEKS_OF_QUESTIONS = 14  # the twelve the analysis shows, and the weeks before the oldest veelgestelde vraag


@dataclass(frozen=True)
class Product:
    """How a product's history is drawn: cases decided per month, the days most take, and how often they wait."""

    zaaktype: str
    per_month: tuple[int, int]
    days: tuple[int, int]  # the usual net handling time, in calendar days
    late_share: float  # decided after the servicenorm
    suspended_share: float
    extended_share: float
    behandelaar: Medewerker
    gemeenten: tuple[str, ...]
    questions: dict[str, float]  # onderwerp -> questions per week


PRODUCTS = (
    Product(
        "subsidie-duurzame-recreatie",
        (3, 9),
        (30, 56),
        0.15,
        0.25,
        0.05,
        ANNA,
        ("GM1581", "GM0344", "GM0355"),
        {"begroting": 5, "andere-vergunningen": 1.5, "voorschot": 1, "stand-van-zaken": 2, "termijn": 1.5, "overig": 0.5},
    ),
    Product(
        "ontgrondingsvergunning",
        (2, 7),
        (20, 42),
        0.2,
        0.2,
        0.1,
        PIETER,
        ("GM0355", "GM0310", "GM0307"),
        {"andere-vergunningen": 2.5, "zienswijze": 1, "dso": 1.5, "stand-van-zaken": 1, "overig": 0.5},
    ),
    Product(
        "melding-provinciale-weg",
        (5, 12),
        (1, 5),
        0.1,
        0.0,
        0.0,
        PIETER,
        ("GM0307", "GM0321", "GM0353"),
        {"wegwerkzaamheden": 2.5, "schade": 1, "stand-van-zaken": 1, "overig": 0.5},
    ),
)

# Veelgestelde vragen written from the analysis: (zaaktype, onderwerp, weeks ago, Dutch, English or None)
FAQS = (
    (
        "subsidie-duurzame-recreatie",
        "begroting",
        6,
        (
            "Welke kosten tellen mee in de begroting?",
            "Alle kosten die u maakt om uw plan uit te voeren, zoals materiaal, arbeid en advies. Kosten die u al "
            "maakte voordat u de subsidie aanvroeg, tellen niet mee.\n\nKrijgt u de btw niet terug van de "
            "Belastingdienst? Dan telt de btw mee. Zet in de begroting ook wat u zelf betaalt en wat anderen "
            "bijdragen.",
        ),
        (
            "Which costs count in the budget?",
            "All costs you make to carry out your plan, such as materials, labour and advice. Costs you made before "
            "you applied for the grant do not count.\n\nIf you cannot reclaim VAT from the Tax Administration, the "
            "VAT counts. Also put in the budget what you pay yourself and what others contribute.",
        ),
    ),
    (
        "ontgrondingsvergunning",
        "andere-vergunningen",
        3,
        (
            "Heb ik naast de ontgrondingsvergunning nog andere vergunningen nodig?",
            "Vaak wel. Werkt u in of bij water, dan hebt u meestal ook een vergunning van het waterschap nodig. "
            "Vraag die op tijd aan: wij kunnen pas beslissen als wij weten wat het waterschap vindt.\n\nIn het "
            "Omgevingsloket ziet u met de vergunningcheck welke vergunningen uw plan nodig heeft.",
        ),
        None,
    ),
)


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _at(day: datetime, rng: random.Random) -> datetime:
    """A moment in office hours on the Dutch day of ``day``, in UTC."""
    local = datetime.combine(amsterdam_date(day), time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=AMSTERDAM)
    return local.astimezone(UTC)


def _closed_case(product: Product, zaaktype: Zaaktype, number: int, decided: datetime, rng: random.Random) -> Case:
    """One case of ``product`` decided on the day of ``decided``: started its handling time before, with a
    suspension or an extension as the product's shares draw them."""
    norm_days = (zaaktype.servicenorm or zaaktype.doorlooptijd).add_to(amsterdam_date(decided)) - amsterdam_date(decided)
    late = rng.random() < product.late_share
    days = rng.randint(norm_days.days + 1, norm_days.days + 14) if late else rng.randint(*product.days)
    suspended = zaaktype.opschorting_mogelijk and rng.random() < product.suspended_share
    waited = rng.randint(7, 21) if suspended else 0
    start = _at(decided - timedelta(days=days + waited), rng)
    applicant = f"pu-history-{product.zaaktype[:3]}-{number}"
    case = rules.open_case(
        case_id=_id(rng),
        case_number=f"{zaaktype.case_number_prefix}-{start.year}-{number:06d}",
        zaaktype=zaaktype,
        omschrijving=f"{zaaktype.omschrijving.nl} {number}",
        startdatum=amsterdam_date(start),
        registered_at=start,
        behandelaar=product.behandelaar,
        initiator=applicant,
        co_initiators=(),
        location=Location((rng.choice(product.gemeenten),), None),
        first_status_id=_id(rng),
    )
    steps = zaaktype.statustypen
    case = rules.set_status(
        case, zaaktype, StatusEntry(_id(rng), steps[1].identificatie, start + timedelta(days=2), product.behandelaar.id)
    )
    if suspended:
        on = amsterdam_date(start + timedelta(days=5))
        case = rules.suspend(case, zaaktype, Suspension(on, "Wachten op de begroting van de aanvrager."))
        case = rules.resume(case, on + timedelta(days=waited))
    if zaaktype.verlenging_mogelijk and zaaktype.verlengingstermijn and rng.random() < product.extended_share:
        extension = Extension(zaaktype.verlengingstermijn, "Wij wachten op advies van de gemeente.", start + timedelta(days=10))
        case = rules.extend(case, zaaktype, extension, current_due=None, today=amsterdam_date(start + timedelta(days=10)))
    final = StatusEntry(_id(rng), steps[-1].identificatie, _at(decided, rng), product.behandelaar.id)
    return rules.set_status(case, zaaktype, final)


def _questions(product: Product, zaaktype: Zaaktype, now: datetime, cases: list[Case], rng: random.Random) -> int:
    """Contact moments by onderwerp over the last weeks, each counted as it would be when recorded; a topic with a
    veelgestelde vraag came in about half as often since it was published."""
    contacts = wiring.adapters().contacts
    published = {
        topic: now - timedelta(weeks=weeks) for zaaktype_id, topic, weeks, _, _ in FAQS if zaaktype_id == product.zaaktype
    }
    written = 0
    for week in range(WEEKS_OF_QUESTIONS, 0, -1):
        monday = now - timedelta(weeks=week, days=amsterdam_date(now).weekday())
        for topic, rate in product.questions.items():
            after = topic in published and monday >= published[topic]
            for _ in range(_poisson(rate * (0.45 if after else 1.0) * (1 + 0.04 * (WEEKS_OF_QUESTIONS - week)), rng)):
                when = _at(monday + timedelta(days=rng.randrange(5)), rng)
                answered = rng.random() < 0.7
                chosen, tally = tally_for(zaaktype, topic, when, answered=answered)
                moment = ContactMoment(
                    id=_id(rng),
                    case_id=rng.choice(cases).id,
                    kanaal=rng.choice(("telefoon", "telefoon", "telefoon", "e-mail", "balie")),
                    onderwerp=chosen.naam.nl,
                    inhoud="Vraag beantwoord." if answered else "Doorgezet naar de behandelaar.",
                    plaatsgevonden_op=when,
                    medewerker=SANNE,
                    contact_gelukt=answered,
                    vraagonderwerp=chosen.code,
                )
                contacts.add(moment, tally)
                written += 1
    return written


def _poisson(mean: float, rng: random.Random) -> int:
    """A count around ``mean`` (Knuth's method: small means only)."""
    limit, count, product = pow(2.718281828, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def generate_history(now: datetime, *, months: int = 12, seed: int = 2026) -> dict[str, int]:
    """Write the history; returns how much of each was written."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo figures, the same on every run
    adapters = wiring.adapters()
    catalogue = wiring.catalogue_data()
    made = {"cases": 0, "contacts": 0, "faqs": 0}
    for product in PRODUCTS:
        zaaktype = catalogue.get(product.zaaktype)
        cases: list[Case] = []
        number = FIRST_NUMBER
        for back in range(months, 0, -1):
            month_start = (amsterdam_date(now).replace(day=1) - timedelta(days=31 * back)).replace(day=1)
            for _ in range(rng.randint(*product.per_month)):
                decided = datetime.combine(month_start + timedelta(days=rng.randrange(28)), time(12), tzinfo=UTC)
                if decided >= now - timedelta(days=1):
                    continue
                number += 1
                case = _closed_case(product, zaaktype, number, decided, rng)
                prefix, year, counter = case.case_number.rsplit("-", 2)
                adapters.cases.advance_case_number(prefix, int(year), int(counter))
                cases.append(adapters.cases.create(case, ()))  # closed: nobody follows it any more
        made["cases"] += len(cases)
        made["contacts"] += _questions(product, zaaktype, now, cases, rng)
    for zaaktype_id, topic, weeks, dutch, english in FAQS:
        published = now - timedelta(weeks=weeks)
        text_en = english or dutch
        adapters.question_analysis.save_faq(  # type: ignore[union-attr]
            Faq(
                zaaktype=zaaktype_id,
                topic=topic,
                vraag=Localized(dutch[0], text_en[0]),
                antwoord=Localized(dutch[1], text_en[1]),
                has_english=english is not None,
                published_at=published,
                updated_at=published,
                updated_by=ANNA,
            ),
            expected=None,
        )
        made["faqs"] += 1
    return made
