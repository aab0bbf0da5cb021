"""What the applicant would receive if the behandelaar made a change now.

The change is worked out on a copy of the case (nothing is saved, no rate limit counts it), the events it gives
are derived as the stream handler derives them, the audience is found as fan-out finds it, and each message
is rendered by the code that delivers it, on every channel the applicant chose. So the preview is what the
applicant will get, not an imitation of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.events import EventKind, derive_events
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import plan_notifications
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.case_commands import CaseCommands, CommandResult
from chalicelib.services.composer import MessageComposer
from chalicelib.services.fanout import FanOut
from chalicelib.services.ports import Clock, RenderedEmail

# Only the e-mail's hold time matters to a preview; the notification is never stored.
_UNSTORED = timedelta(0)


@dataclass(frozen=True)
class PreviewedMessage:
    kind: EventKind
    channel: Channel
    language: Language
    title: str  # the e-mail's subject, or the title in the berichtenbox or on the letter
    text: str
    html: str | None  # the e-mail's HTML part
    held_until: datetime | None  # an e-mail that waits for the morning or the digest


@dataclass(frozen=True)
class ChangePreview:
    changed: bool  # False: the case would stay as it is
    messages: tuple[PreviewedMessage, ...]  # to the applicant (initiator); empty: they are told nothing
    other_parties: int  # co-initiators and gemachtigden who get the same news
    followers: int  # people following the topic or area who hear of it (public status changes only)


class ChangePreviews:
    def __init__(
        self, *, commands: CaseCommands, catalogue: Catalogue, fanout: FanOut, composer: MessageComposer, clock: Clock
    ) -> None:
        self._commands = commands
        self._catalogue = catalogue
        self._fanout = fanout
        self._composer = composer
        self._clock = clock

    def preview(self, change: Callable[[CaseCommands], CommandResult]) -> ChangePreview:
        """``change`` calls one command (e.g. ``lambda c: c.post_message(principal, case_id, text, link)``),
        which checks the role, the case and the input exactly as it does when it saves."""
        result = change(self._commands.dry_run())
        if not result.changed:
            return ChangePreview(changed=False, messages=(), other_parties=0, followers=0)
        after, now = result.case, self._clock.now()
        events = derive_events(result.before, after, self._catalogue.get(after.zaaktype), now)
        messages: list[PreviewedMessage] = []
        others: set[str] = set()
        followers: set[str] = set()
        for event in events:
            recipients, _ = self._fanout.audience(event, followers=after.followers)
            for recipient in recipients:
                if recipient.subscriber_id != after.initiator:
                    (others if recipient.audience is Audience.PARTY else followers).add(recipient.subscriber_id)
            applicant = [r for r in recipients if r.subscriber_id == after.initiator]
            for notification in plan_notifications(event, applicant, now=now, retention=_UNSTORED):
                rendered = self._composer.preview(notification, after)
                if isinstance(rendered, RenderedEmail):
                    title, text, html = rendered.subject, rendered.text, rendered.html
                else:
                    title, text, html = rendered.title, rendered.body, None
                channel, language, held = notification.channel, notification.language, notification.hold_until
                messages.append(PreviewedMessage(event.kind, channel, language, title, text, html, held))
        return ChangePreview(changed=True, messages=tuple(messages), other_parties=len(others), followers=len(followers))
