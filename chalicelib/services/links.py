"""The links Baken puts in messages: to the portal, and signed links to confirm a subscription, to
unsubscribe in one click (RFC 8058) and to manage preferences without logging in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

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
