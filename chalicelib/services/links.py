"""The links Baken puts in messages: to the portal, and signed links to confirm a subscription, to
unsubscribe in one click (RFC 8058), to manage preferences and to answer the satisfaction question about a closed
case without logging in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from chalicelib.domain.satisfaction import SCORES, link_expires, link_subject, respondent_key
from chalicelib.domain.tokens import Token, TokenPurpose, sign
from chalicelib.services.ports import Clock

CONFIRM_VALID = timedelta(days=7)
UNSUBSCRIBE_VALID = timedelta(days=400)
MANAGE_VALID = timedelta(days=60)


@dataclass(frozen=True)
class Links:
    base_url: str
    secret: bytes
    clock: Clock

    def _signed(self, path: str, purpose: TokenPurpose, subject: str, valid: timedelta) -> str:
        token = sign(Token(purpose, subject, self.clock.now() + valid), self.secret)
        return f"{self.base_url}{path}?{urlencode({'token': token})}"

    def home(self) -> str:
        return f"{self.base_url}/"

    def case(self, case_id: str) -> str:
        return f"{self.base_url}/mijn-zaken/{case_id}"

    def announcement(self, announcement_id: str) -> str:
        """The public page of an approved announcement: it opens without logging in."""
        return f"{self.base_url}/aankondigingen/{announcement_id}"

    def berichtenbox(self) -> str:
        return f"{self.base_url}/berichten"

    def confirm(self, subscription_id: str) -> str:
        return self._signed("/abonnement/bevestigen", TokenPurpose.CONFIRM, subscription_id, CONFIRM_VALID)

    def unsubscribe_subscription(self, subscription_id: str) -> str:
        """Stop this one subscription."""
        return self._signed("/afmelden", TokenPurpose.UNSUBSCRIBE, f"subscription:{subscription_id}", UNSUBSCRIBE_VALID)

    def unsubscribe_email(self, subscriber_id: str) -> str:
        """Stop all e-mail to this subscriber (used where a message bundles several subscriptions)."""
        return self._signed("/afmelden", TokenPurpose.UNSUBSCRIBE, f"subscriber:{subscriber_id}", UNSUBSCRIBE_VALID)

    def manage(self, subscriber_id: str) -> str:
        return self._signed("/abonnement/beheren", TokenPurpose.MANAGE, subscriber_id, MANAGE_VALID)

    def satisfaction(self, case_id: str, subject: str, closed_on: date, language: str) -> list[tuple[int, str]]:
        """One link per score to the satisfaction question about the case, for the person ``subject``: the page
        opens with that score chosen and records nothing until its button is pressed. The token names the case and
        the person's respondent key (never the subject) and works until the question closes."""
        respondent = respondent_key(case_id, subject, self.secret)
        token = sign(Token(TokenPurpose.SATISFACTION, link_subject(case_id, respondent), link_expires(closed_on)), self.secret)
        return [
            (score, f"{self.base_url}/tevredenheid/{token}?{urlencode({'score': score, 'lang': language})}") for score in SCORES
        ]
