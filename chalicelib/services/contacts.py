"""Recording contact moments: the KCC (or a behandelaar) notes who called about which case, when and about
what, so the next person who picks up the phone gives the same answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.contacts import ContactMoment, clean_for_applicant, clean_tags
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.identity import STAFF, Principal, require_any_role
from chalicelib.services.ids import new_id
from chalicelib.services.ports import CaseRepository, Clock, ContactMomentStore
from chalicelib.services.question_topics import tally_for

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class NewContactMoment:
    """``inhoud`` is the internal note (staff only). ``for_applicant`` is the optional sentence the applicant
    sees on their timeline (nothing is shown to them without it). ``vertrouwelijk`` has no default: whoever
    records a contact decides each time whether it is confidential (a confidential contact has no sentence for
    the applicant). ``tags`` are kept as ``clean_tags`` makes them and shown to staff only."""

    kanaal: str
    onderwerp: str
    inhoud: str
    vertrouwelijk: bool
    plaatsgevonden_op: datetime | None = None
    contact_gelukt: bool = True
    tags: tuple[str, ...] = ()
    for_applicant: str | None = None
    vraagonderwerp: str | None = None  # the code in the product's managed list; none: counted as "overig"


class ContactRegistry:
    def __init__(
        self,
        cases: CaseRepository,
        contacts: ContactMomentStore,
        catalogue: Catalogue,
        clock: Clock,
        ids: Callable[[], str] = new_id,
        *,
        on_recorded: Callable[[ContactMoment], None] | None = None,
    ) -> None:
        self._cases = cases
        self._contacts = contacts
        self._catalogue = catalogue
        self._clock = clock
        self._ids = ids
        self._on_recorded = on_recorded  # tells the chain (services/outbound.py), after the moment is stored

    def record(self, principal: Principal, case_id: str, new: NewContactMoment) -> ContactMoment:
        """Add a contact moment to a case's history, counted under its onderwerp of the case's product (a code
        the product's list does not have is a ValidationError on ``vraagonderwerp``). Without an ``onderwerp`` text
        the onderwerp's Dutch name is the Klantcontact's onderwerp. Nothing about the case itself changes."""
        require_any_role(principal, STAFF, "record_contact_moment")
        tags = clean_tags(new.tags)
        for_applicant = clean_for_applicant(new.for_applicant, vertrouwelijk=new.vertrouwelijk)
        case = self._cases.get(case_id)
        now = self._clock.now()
        when = new.plaatsgevonden_op or now
        if when > now + CLOCK_SKEW:
            raise ValidationError.single("plaatsgevonden_op", "in_future")
        topic, tally = tally_for(self._catalogue.get(case.zaaktype), new.vraagonderwerp, when, answered=new.contact_gelukt)
        onderwerp = new.onderwerp.strip() or topic.naam.nl
        moment = ContactMoment(
            id=self._ids(),
            case_id=case.id,
            kanaal=new.kanaal,
            onderwerp=onderwerp,
            inhoud=new.inhoud,
            plaatsgevonden_op=when,
            medewerker=Medewerker(principal.subject, principal.name or principal.subject),
            vertrouwelijk=new.vertrouwelijk,
            contact_gelukt=new.contact_gelukt,
            tags=tags,
            for_applicant=for_applicant,
            vraagonderwerp=topic.code,
        )
        self._contacts.add(moment, tally)
        if self._on_recorded is not None:
            self._on_recorded(moment)
        return moment
