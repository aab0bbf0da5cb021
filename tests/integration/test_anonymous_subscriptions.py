"""Following without DigiD, over HTTP on moto: asking sends a confirmation e-mail (double opt-in); only the
button behind its link confirms, never the link itself (mail scanners follow links); one click in the mail
client stops it for good; the address is rate limited; and nobody learns from the answers whether an
address is known."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from chalicelib.domain.notifications import HELD_SHARDS
from chalicelib.handlers.release_held_email import release_held
from tests.integration.conftest import (
    PERSONAS,
    announce,
    body,
    headers,
    invalid_params,
    link_token,
    mailbox,
    problem,
    register_personas,
)

NEIGHBOUR = "buurvrouw@example.org"
LAND_IN_DOORN = {"topics": ["grondbeheer"], "gemeenten": ["GM1581"]}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def ask(client, email: str = NEIGHBOUR, **extra: Any) -> Any:
    return client.http.post("/api/subscriptions", headers=headers(), body=json.dumps({"email": email, **LAND_IN_DOORN, **extra}))


def news(client, title: str = "Landbouwgrond beschikbaar") -> None:
    """An approved announcement about land in Utrechtse Heuvelrug: what the neighbour asked to follow."""
    announce(client, title=title, text="Er komt grond vrij bij Doorn.", topic="grondbeheer", gemeenten=["GM1581"])


def news_for(email: str) -> list[str]:
    return [m.subject for m in mailbox(email) if m.subject.startswith("Nieuws van de provincie")]


def confirmation_token(email: str = NEIGHBOUR) -> str:
    (confirmation,) = [m for m in mailbox(email) if m.subject.startswith("Bevestig")]
    return link_token(confirmation.text, "/abonnement/bevestigen")


def path_of(url: str) -> str:
    parts = urlsplit(url.strip("<>"))
    return f"{parts.path}?{parts.query}"


def subscribed(client, pipeline) -> None:
    """The neighbour asked, and confirmed from the page."""
    assert ask(client).status_code == 202
    pipeline.run()
    confirmed = client.http.post("/abonnement/bevestigen", headers=FORM, body=f"token={confirmation_token()}")
    assert "U bent aangemeld" in confirmed.body.decode()


def test_asking_answers_202_and_the_delivery_handler_sends_one_confirmation_with_one_click_unsubscribe(client, pipeline, daytime):
    # WHEN the neighbour asks to follow land in Utrechtse Heuvelrug
    answer = ask(client)
    # THEN 202, and nothing is sent from the request itself
    assert answer.status_code == 202, answer.body
    assert body(answer) == {
        "status": "confirmation_sent",
        "detail": "Als het adres klopt, krijgt u een e-mail. Open de link in die e-mail om te bevestigen.",
    }
    assert mailbox(NEIGHBOUR) == []

    # WHEN the handlers run: one confirmation, saying what was asked, with a confirmation link
    pipeline.run()
    (mail,) = mailbox(NEIGHBOUR)
    assert mail.subject == "Bevestig dat u berichten van de provincie wilt krijgen"
    assert "over grondbeheer en beschikbare gronden in de gemeente Utrechtse Heuvelrug" in mail.text
    assert link_token(mail.text, "/abonnement/bevestigen")
    # AND the RFC 8058 headers: a one-click POST address for this subscription
    assert re.fullmatch(r"<https?://[^>]+/afmelden\?token=[^>]+>", mail.headers["List-Unsubscribe"])
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_confirmation_is_in_the_language_asked_for(client, pipeline, daytime):
    assert ask(client, language="en").status_code == 202
    assert ask(client, "neighbour@example.org", language=None).status_code == 202  # no choice: Dutch
    pipeline.run()
    (english,) = mailbox(NEIGHBOUR)
    (dutch,) = mailbox("neighbour@example.org")
    assert english.subject == "Confirm that you want messages from the province"
    assert "about land management and available land in the municipality of Utrechtse Heuvelrug" in english.text
    assert dutch.subject.startswith("Bevestig")


def test_opening_the_confirmation_link_confirms_nothing_only_its_button_does(client, pipeline, daytime):
    # GIVEN the confirmation e-mail
    assert ask(client).status_code == 202
    pipeline.run()
    token = confirmation_token()

    # WHEN a mail scanner opens the link
    opened = client.http.get(f"/abonnement/bevestigen?token={token}")
    # THEN it gets a page with a button that posts the token
    page = opened.body.decode()
    assert opened.status_code == 200
    assert '<form method="post" action="/abonnement/bevestigen' in page
    assert f'name="token" value="{token}"' in page
    assert "<button" in page
    # AND news that follows does not reach the neighbour: nothing was confirmed
    news(client, "Eerste bericht")
    pipeline.run()
    assert news_for(NEIGHBOUR) == []

    # WHEN the neighbour presses the button
    pressed = client.http.post("/abonnement/bevestigen", headers=FORM, body=f"token={token}")
    assert pressed.status_code == 200
    assert "U bent aangemeld" in pressed.body.decode()
    # THEN the next news reaches her, once; confirming again is harmless
    assert body(client.http.post("/api/subscriptions/confirm", headers=headers(), body=json.dumps({"token": token}))) == {
        "outcome": "already"
    }
    news(client, "Tweede bericht")
    pipeline.run()
    assert news_for(NEIGHBOUR) == ["Nieuws van de provincie: Tweede bericht"]


def test_one_click_unsubscribe_stops_it_and_the_old_confirmation_link_does_not_bring_it_back(client, pipeline, daytime):
    # GIVEN a confirmed neighbour who received news
    subscribed(client, pipeline)
    news(client, "Eerste bericht")
    pipeline.run()
    (received,) = [m for m in mailbox(NEIGHBOUR) if m.subject.startswith("Nieuws")]

    # WHEN her mail client does the RFC 8058 one-click POST to the List-Unsubscribe address
    one_click = path_of(received.headers["List-Unsubscribe"])
    stopped = client.http.post(one_click, headers=FORM, body="List-Unsubscribe=One-Click")
    # THEN it is stopped, and doing it again is harmless
    assert stopped.status_code == 200
    assert "U bent afgemeld" in stopped.body.decode()
    assert "U was al afgemeld" in client.http.post(one_click, headers=FORM, body="List-Unsubscribe=One-Click").body.decode()

    # WHEN the old confirmation link is opened and its button pressed again
    token = confirmation_token()
    assert client.http.get(f"/abonnement/bevestigen?token={token}").status_code == 200
    replayed = client.http.post("/abonnement/bevestigen", headers=FORM, body=f"token={token}")
    # THEN the page says it was stopped, the API says so too, and no news reaches her any more
    assert replayed.status_code == 200
    assert "Deze aanmelding is gestopt" in replayed.body.decode()
    assert body(client.http.post("/api/subscriptions/confirm", headers=headers(), body=json.dumps({"token": token}))) == {
        "outcome": "stopped"
    }
    news(client, "Tweede bericht")
    pipeline.run()
    assert news_for(NEIGHBOUR) == ["Nieuws van de provincie: Eerste bericht"]


def test_unsubscribing_from_the_confirmation_email_means_its_link_no_longer_confirms(client, pipeline, daytime):
    assert ask(client).status_code == 202
    pipeline.run()
    (confirmation,) = mailbox(NEIGHBOUR)
    unsubscribe = link_token(confirmation.headers["List-Unsubscribe"], "/afmelden")
    answer = client.http.post("/api/subscriptions/unsubscribe", headers=headers(), body=json.dumps({"token": unsubscribe}))
    assert body(answer) == {"outcome": "done"}
    confirm = client.http.post("/api/subscriptions/confirm", headers=headers(), body=json.dumps({"token": confirmation_token()}))
    assert body(confirm) == {"outcome": "stopped"}
    news(client)
    pipeline.run()
    assert news_for(NEIGHBOUR) == []


def test_the_fourth_request_for_one_address_within_the_hour_is_429_with_retry_after(client, pipeline, daytime):
    # GIVEN three requests for one address, however it is capitalised
    for email in (NEIGHBOUR, NEIGHBOUR.upper(), f"  {NEIGHBOUR}"):
        assert ask(client, email).status_code == 202
    # WHEN a fourth comes within the hour
    refused = ask(client)
    # THEN 429, as a problem, saying when to come back
    assert problem(refused, 429)["code"] == "too_many_requests"
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    # AND only the three confirmations are sent; another address is not held back
    assert ask(client, "iemand-anders@example.org").status_code == 202
    pipeline.run()
    assert len(mailbox(NEIGHBOUR)) == 3
    # AND after Retry-After seconds the address may ask again
    daytime.advance(seconds=retry_after - 1)
    problem(ask(client), 429)
    daytime.advance(seconds=1)
    assert ask(client).status_code == 202


def test_forged_expired_or_misused_tokens_are_400_naming_token_and_change_nothing(client, pipeline, daytime):
    assert ask(client).status_code == 202
    pipeline.run()
    token = confirmation_token()
    (confirmation,) = mailbox(NEIGHBOUR)
    unsubscribe = link_token(confirmation.headers["List-Unsubscribe"], "/afmelden")
    payload, signature = token.split(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"

    for route, sent in (
        ("confirm", forged),
        ("confirm", "not-a-token"),
        ("confirm", unsubscribe),  # an unsubscribe link cannot confirm
        ("unsubscribe", forged),
        ("unsubscribe", token),  # nor a confirmation link unsubscribe
    ):
        answer = client.http.post(f"/api/subscriptions/{route}", headers=headers(), body=json.dumps({"token": sent}))
        assert invalid_params(answer) == {"token": "token_invalid"}, (route, sent)
    assert invalid_params(client.http.post("/api/subscriptions/confirm", headers=headers(), body="{}")) == {"token": "required"}

    # WHEN the link is older than its 7 days
    daytime.advance(days=7, seconds=1)
    expired = client.http.post("/api/subscriptions/confirm", headers=headers(language="en"), body=json.dumps({"token": token}))
    assert invalid_params(expired) == {"token": "token_expired"}
    assert body(expired)["invalidParams"][0]["reason"].startswith("This link has expired")
    # THEN the pages say the link does not work
    for page, sent in (("/abonnement/bevestigen", token), ("/abonnement/bevestigen", forged), ("/afmelden", forged)):
        answer = client.http.post(page, headers=FORM, body=f"token={sent}")
        assert answer.status_code == 404, page
        assert "Deze link werkt niet" in answer.body.decode()
    # AND nothing was confirmed
    news(client)
    pipeline.run()
    assert news_for(NEIGHBOUR) == []


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, pipeline, daytime):
    # GIVEN Mark, whose address Baken knows
    register_personas("mark")
    known, unknown = str(PERSONAS["mark"].email), "nog-nooit-gezien@example.org"
    # WHEN both ask for the same
    for_known, for_unknown = ask(client, known), ask(client, unknown)
    # THEN the answers are identical
    assert (for_known.status_code, for_known.headers, for_known.body) == (
        for_unknown.status_code,
        for_unknown.headers,
        for_unknown.body,
    )
    # AND each must confirm by e-mail: knowing the address subscribes nobody
    pipeline.run()
    assert [m.subject[:9] for m in mailbox(known)] == ["Bevestig "]
    assert [m.subject[:9] for m in mailbox(unknown)] == ["Bevestig "]


class AwsCalls:
    """Every AWS operation this process makes (boto3 and pynamodb alike go through botocore's client)."""

    def __init__(self, monkeypatch) -> None:
        from botocore.client import BaseClient

        self.made: list[str] = []
        original = BaseClient._make_api_call

        def counted(client, operation_name, params):
            self.made.append(f"{client.meta.service_model.service_name}.{operation_name}")
            return original(client, operation_name, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", counted)

    def during(self, call) -> tuple[Any, list[str]]:
        self.made.clear()
        result = call()
        return result, sorted(self.made)


def test_a_known_an_unknown_and_a_suppressed_address_cost_the_same_aws_calls(client, pipeline, daytime, monkeypatch):
    # GIVEN Mark (known, e-mail on), Jan's address with e-mail stopped (known, suppressed), and a new address
    register_personas("mark", "jan")
    mark, jan = str(PERSONAS["mark"].email), str(PERSONAS["jan"].email)
    assert (
        client.http.put(
            "/api/me/preferences",
            headers=headers("jan"),
            body=json.dumps({"channels": ["portal"], "language": "nl", "frequency": "immediately", "quiet_hours": True}),
        ).status_code
        == 200
    )
    calls = AwsCalls(monkeypatch)
    # WHEN each is asked for, through the API and through the page
    answers = {}
    for by_api, by_page in ((mark, mark), (jan, jan), ("nog-nooit-gezien@example.org", "ook-nieuw@example.org")):
        api, made_by_api = calls.during(lambda address=by_api: ask(client, address))
        page, made_by_page = calls.during(
            lambda address=by_page: client.http.post(
                "/volgen", headers=FORM, body=f"email={address.replace('@', '%40')}&topic=grondbeheer&gemeente=GM1581"
            )
        )
        answers[by_api] = (api.status_code, api.body, page.status_code, page.body, made_by_api, made_by_page)
    # THEN the answers are the same, and so is the work: the same number of calls of each AWS service, and the
    # same operations but the one read (known) or write (new) of the subscriber
    known, suppressed, unknown = answers.values()
    assert known[:4] == suppressed[:4] == unknown[:4]
    for position in (4, 5):  # the API's calls, the page's calls
        assert known[position] == suppressed[position]
        assert len(known[position]) == len(unknown[position]) == 9
        # the rate limits (2 reads, 2 writes), the address looked up (1 Query), the request, the outbox, the queue
        assert Counter(known[position]) - Counter(unknown[position]) == {"dynamodb.GetItem": 1}  # the subscriber read
        assert Counter(unknown[position]) - Counter(known[position]) == {"dynamodb.PutItem": 1}  # ...or first written
    # AND only Mark and the new address get a confirmation: Jan chose the berichtenbox only
    pipeline.run()
    assert len(mailbox(mark)) == 2
    assert mailbox(jan) == []
    assert len(mailbox("nog-nooit-gezien@example.org")) == len(mailbox("ook-nieuw@example.org")) == 1


def test_a_request_and_an_unconfirmed_address_are_stored_to_expire_and_confirming_keeps_them(client, pipeline, daytime, stack):
    from chalicelib import wiring

    # WHEN the neighbour asks
    assert ask(client).status_code == 202
    subscriber = wiring.adapters().subscribers.find_by_email(NEIGHBOUR)
    assert subscriber is not None
    (pending,) = wiring.adapters().subscriptions.of_subscriber(subscriber.id)
    dynamodb = stack.client("dynamodb")

    def ttl(table: str, key: dict[str, Any]) -> str | None:
        item = dynamodb.get_item(TableName=f"baken-local-{table}", Key=key)["Item"]
        return item.get("expires_at", {}).get("N")

    subscriber_key = {"subscriber_id": {"S": subscriber.id}}
    definition_key = {"interest": {"S": f"subscription#{pending.id}"}, "member": {"S": "definition"}}
    # THEN both carry the TTL attribute: eight days on (the link's seven and a day's margin)
    eight_days = str(int(daytime.now().timestamp()) + 8 * 86400)
    assert ttl("subscribers", subscriber_key) == ttl("subscriptions", definition_key) == eight_days
    # WHEN it is confirmed THEN neither expires any more
    pipeline.run()
    confirmed = client.http.post("/abonnement/bevestigen", headers=FORM, body=f"token={confirmation_token()}")
    assert "U bent aangemeld" in confirmed.body.decode()
    assert ttl("subscribers", subscriber_key) is None
    assert ttl("subscriptions", definition_key) is None


def test_a_request_that_cannot_be_followed_is_400_naming_the_field_and_sends_nothing(client, pipeline, daytime):
    for sent, expected in (
        ({"email": "geen-adres", **LAND_IN_DOORN}, {"email": "expected_email"}),
        ({"email": NEIGHBOUR, "topics": ["bouwen"]}, {"topics.0": "unknown_topic"}),
        ({"email": NEIGHBOUR, "gemeenten": ["GM9999"]}, {"gemeenten.0": "unknown_gemeente"}),
        ({"email": NEIGHBOUR}, {"topics": "nothing_to_follow"}),
        ({"email": NEIGHBOUR, **LAND_IN_DOORN, "language": "fr"}, {"language": "not_allowed"}),
    ):
        refused = client.http.post("/api/subscriptions", headers=headers(), body=json.dumps(sent))
        assert invalid_params(refused) == expected, sent
    pipeline.run()
    assert mailbox() == []
    # refusals do not count towards the address's limit
    assert all(ask(client).status_code == 202 for _ in range(3))


def test_at_night_the_confirmation_goes_out_at_once_and_news_waits_for_the_morning(client, pipeline, daytime):
    # GIVEN it is 23:30 in Utrecht, and the neighbour (quiet hours on, as for everyone who subscribes by e-mail)
    # asks to follow land
    daytime.advance(hours=12, minutes=30)
    assert ask(client).status_code == 202
    pipeline.run()
    # THEN the confirmation does not wait: she has to act on it
    confirm = client.http.post("/api/subscriptions/confirm", headers=headers(), body=json.dumps({"token": confirmation_token()}))
    assert body(confirm) == {"outcome": "done"}
    # WHEN news comes that night
    news(client)
    pipeline.run()
    assert news_for(NEIGHBOUR) == []
    # THEN it goes out after 07:00, when the held e-mail is released
    daytime.advance(hours=7, minutes=29)  # 06:59
    assert release_held(None)["jobs"] == HELD_SHARDS  # one job per shard of subscribers
    pipeline.run()
    assert news_for(NEIGHBOUR) == []
    daytime.advance(minutes=2)
    release_held(None)
    pipeline.run()
    assert news_for(NEIGHBOUR) == ["Nieuws van de provincie: Landbouwgrond beschikbaar"]


def test_the_confirmation_reaches_ses_with_list_unsubscribe_as_raw_ascii(client, pipeline, daytime):
    # GIVEN every SendEmail's raw MIME captured as SES receives it (before moto or the mailbox parse anything)
    from chalicelib import wiring

    raw: list[bytes] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        raw.append(params["Content"]["Raw"]["Data"])

    ses = wiring.aws_client("sesv2")
    ses.meta.events.register("provide-client-params.sesv2.SendEmail", capture)
    try:
        # WHEN the neighbour asks and the delivery handler sends the confirmation
        assert ask(client).status_code == 202
        pipeline.run()
    finally:
        ses.meta.events.unregister("provide-client-params.sesv2.SendEmail", capture)
    # THEN its header block is ASCII: List-Unsubscribe is <https://…> unencoded (RFC 2369/8058), To is the address
    (mime,) = raw
    block = re.sub(r"\n[ \t]", " ", mime.split(b"\n\n", 1)[0].decode("ascii"))
    fields = dict(line.split(": ", 1) for line in block.split("\n"))
    assert re.fullmatch(r"<https?://[^>\s]+/afmelden\?token=[A-Za-z0-9._~%-]+>", fields["List-Unsubscribe"])
    assert fields["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert fields["To"] == NEIGHBOUR


def test_an_address_smtp_cannot_carry_is_400_naming_email_in_dutch_and_english(client, pipeline, daytime):
    for address in ("zoë@example.org", "a,b@example.org", "a;b@example.org", "<a>@example.org", '"a b"@example.org'):
        # WHEN someone asks with it
        refused = client.http.post("/api/subscriptions", headers=headers(), body=json.dumps({"email": address, **LAND_IN_DOORN}))
        # THEN 400 naming the field, saying why in words
        assert invalid_params(refused) == {"email": "expected_email"}, address
        (param,) = problem(refused, 400)["invalidParams"]
        assert "zonder letters met accenten" in param["reason"]
    english = client.http.post(
        "/api/subscriptions", headers=headers(language="en"), body=json.dumps({"email": "zoë@example.org", **LAND_IN_DOORN})
    )
    assert "without accented letters such as ë" in problem(english, 400)["invalidParams"][0]["reason"]
    # AND the page says so too
    page = client.http.post("/volgen", headers=FORM, body="email=zo%C3%AB%40example.org&topic=grondbeheer&gemeente=GM1581")
    assert page.status_code == 400
    assert "zonder letters met accenten, zoals ë of é" in page.body.decode()
    pipeline.run()
    assert mailbox() == []


def test_confirming_beyond_what_one_person_may_follow_says_so_and_changes_nothing(client, pipeline, daytime):
    from dataclasses import replace

    from chalicelib import wiring
    from chalicelib.domain.subscriptions import Indexed, SubscriptionState

    # GIVEN the neighbour follows 25 things already (confirmed), and asked for one more
    subscribed(client, pipeline)
    subscriptions = wiring.adapters().subscriptions
    neighbour = wiring.adapters().subscribers.find_by_email(NEIGHBOUR)
    assert neighbour is not None
    (first,) = subscriptions.of_subscriber(neighbour.id)
    for number in range(24):
        subscriptions.save(Indexed(replace(first, id=f"{first.id}-{number}", state=SubscriptionState.ACTIVE)))
    daytime.advance(hours=1)
    assert ask(client, topics=["natuur-en-landschap"]).status_code == 202
    pipeline.run()
    (token,) = [
        link_token(m.text, "/abonnement/bevestigen")
        for m in mailbox(NEIGHBOUR)
        if "natuur" in m.text and m.subject.startswith("Bevestig")
    ]
    # WHEN its button is pressed THEN 409 and a page that says what to do; the API names the limit
    page = client.http.post("/abonnement/bevestigen", headers=FORM, body=f"token={token}")
    assert page.status_code == 409
    assert "U volgt al 25 dingen" in page.body.decode()
    api = client.http.post("/api/subscriptions/confirm", headers=headers(), body=json.dumps({"token": token}))
    assert invalid_params(api) == {"subscriptions": "too_many_subscriptions"}
