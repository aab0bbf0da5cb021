"""Start Baken locally: ``python -m devstack`` (``make run`` does it in the project's virtualenv).

1. an embedded moto server on 127.0.0.1 (DynamoDB + Streams, SQS, SES, CloudFormation);
2. the data stack created from infra/data.json, as in AWS;
3. the demo from the story (Mark, his group's subsidy case, other applicants, followers);
4. the API and pages with ``chalice local --stage local``;
5. the event runner feeding the stream, delivery and SES-feedback handlers with Lambda-shaped events,
   invoking the schedules that release held e-mails and digests and reconcile stuck notifications (every
   minute here, every 15 minutes on AWS), and printing letters from the letters queue into .baken-local/letters.
Ctrl-C (or SIGTERM) stops everything within seconds. Nothing is kept: every start begins with a fresh moto and
fresh demo data. ``chalice local`` runs in a session of its own and ends with the devstack, even after a
``kill -9`` (devstack.with_parent).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from devstack.infra import StackOutputs
    from devstack.runner import EventRunner
    from devstack.zaaksysteem import StandIn

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".baken-local"
LETTERS = STATE / "letters"


def _free(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


def _listening_inodes(port: int) -> set[str]:
    """The socket inodes listening on ``port`` (Linux: /proc/net/tcp and tcp6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                    inodes.add(fields[9])
    return inodes


def _holder(port: int) -> str | None:
    """The process listening on ``port``, as "pid (command line)", when this system tells (Linux does)."""
    sockets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    for process in Path("/proc").glob("[0-9]*") if sockets else ():
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in sockets for fd in (process / "fd").iterdir()):
                command = " ".join((process / "cmdline").read_bytes().decode("utf-8", "replace").replace("\0", " ").split())
                return f"{process.name} ({command[:120]})"
    return None


def _port_in_use(port: int, host: str) -> str:
    holder = _holder(port)
    if holder is None:
        who_nl, who_en, stop = "", "", f"`lsof -i :{port}` toont welk proces / shows which process"
    else:
        pid = holder.split(" ", 1)[0]
        who_nl, who_en, stop = f" door proces {holder}", f" by process {holder}", f"kill {pid}"
    return (
        f"Poort {port} op {host} is al in gebruik{who_nl}. Stop dat proces ({stop}) of kies een andere poort met "
        f"--port/--moto-port.\n"
        f"Port {port} on {host} is in use{who_en}. Stop that process, or choose another port with --port/--moto-port."
    )


def _stage_environment() -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {**config.get("environment_variables", {}), **config["stages"]["local"]["environment_variables"]}


def _write_dev_key() -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    STATE.mkdir(exist_ok=True)
    path = STATE / "dev-issuer.pem"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)
    return path


def _wait_for(url: str, seconds: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"chalice local stopped with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the API did not answer at {url} within {seconds:.0f} s")


def _relay(stream: Any, prefix: str) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{prefix} {line.decode('utf-8', 'replace')}")
        sys.stdout.flush()


def _banner(api: str, moto: str, seeded: dict[str, str], tokens: dict[str, str], zaaksysteem: str = "") -> str:
    case = seeded.get("mark_case", "<case id>")
    return f"""
================================================================================
 Baken is running (stage local)

   API ................ {api}/api/health
   Zaaktypen .......... {api}/api/zaaktypen
   Local mailbox ...... {api}/dev/mailbox?follow=1  (e-mails sent through moto SES, refreshed every 5 s)
   Letters ............ {api}/api/dev/letters  (what the print-and-post partner receives)
   Follow without DigiD {api}/volgen
   Mijn zaken ......... {api}/mijn-zaken  (log in as one of the personas)
   Werkvoorraad ....... {api}/werk  (log in as Anna Bakker: Mark's case, with a preview before sending)
   KCC ................ {api}/kcc  (log in as Sanne de Boer)
   Home page .......... {api}/  (public: what Baken is, products, follow without DigiD)
   Products ........... {api}/producten  (conditions, steps, terms, costs, veelgestelde vragen, speed)
   Hoe snel zijn wij? . {api}/hoe-snel-zijn-wij  (servicenormen kept per product and month; open data:
                        {api}/api/servicenormen and .csv)
   Vragen ............. {api}/werk/vragen  (staff: questions by onderwerp, trend, veelgestelde vragen)
   Personas ........... {api}/api/dev/personas
   Fresh token ........ curl -s -X POST {api}/api/dev/token -H 'Content-Type: application/json' -d '{{"persona": "mark"}}'
   moto server ........ {moto}
   Zaaksysteem ........ {zaaksysteem}/zaken/api/v1  (a stand-in speaking the Zaken, Catalogi, Notificaties and
                        Klantinteracties APIs; it holds Mark's zaak {seeded.get("zaak_number", "")})

 Walkthrough (tokens below are valid for 8 hours):

   export ANNA={tokens["anna"]}
   export MARK={tokens["mark"]}
   export SANNE={tokens["sanne"]}
   export JAN={tokens["jan"]}
   export PIETER={tokens["pieter"]}

   # 1. Anna, behandelaar, asks Mark's group for more information:
   curl -s -X POST {api}/api/cases/{case}/status -H "Authorization: Bearer $ANNA" \\
        -H 'Content-Type: application/json' -d '{{"statustype": "aanvullende-informatie-nodig"}}'

   # 2. Within two seconds Mark has an e-mail, and a message in his berichtenbox:
   curl -s "{api}/api/dev/mailbox?to=mark.visser@example.org"
   curl -s {api}/api/me/berichtenbox -H "Authorization: Bearer $MARK"

   # 3. Jan, who has a case of his own but nothing to do with Mark's, got nothing about it
   #    (his mailbox holds only the e-mail about his own report, from when the demo loaded):
   curl -s "{api}/api/dev/mailbox?to=jan.degroot@example.org"

   # 4. Anna posts the waterschap message with a link to the Omgevingsloket:
   curl -s -X POST {api}/api/cases/{case}/messages -H "Authorization: Bearer $ANNA" \\
        -H 'Content-Type: application/json' \\
        -d '{{"text": "Voor uw plan is ook een vergunning van het waterschap nodig. Vraag die aan via het Omgevingsloket.",
             "link": {{"url": "https://omgevingswet.overheid.nl/loket", "label": "Omgevingsloket"}}}}'

   # 5. Mark sees his case: status, the message, missing documents, deadline and servicenorm, behandelaar:
   curl -s {api}/api/me/cases/{case} -H "Authorization: Bearer $MARK"

   # 6. Mark calls without his case number; Sanne (KCC) finds his cases by his e-mail address (or on {api}/kcc):
   curl -s -X POST {api}/api/cases/search -H "Authorization: Bearer $SANNE" \\
        -H 'Content-Type: application/json' -d '{{"email": "mark.visser@example.org"}}'
   #    and records his call, tagged for staff; Anna sees it on the timeline:
   curl -s -X POST {api}/api/cases/{case}/contact-moments -H "Authorization: Bearer $SANNE" \\
        -H 'Content-Type: application/json' \\
        -d '{{"kanaal": "telefoon", "onderwerp": "Vergunning waterschap",
             "inhoud": "Uitgelegd hoe hij de vergunning aanvraagt via het Omgevingsloket.", "vertrouwelijk": false,
             "tags": ["dso", "vergunning-waterschap"]}}'
   curl -s {api}/api/cases/{case} -H "Authorization: Bearer $ANNA"

   # The KCC sees which notifications Mark was sent and whether they arrived:
   curl -s {api}/api/cases/{case}/notifications -H "Authorization: Bearer $SANNE"

   # 7. A neighbour without DigiD follows grondbeheer in Utrechtse Heuvelrug: open {api}/volgen

   # 8. Pieter (grondbeheer) announces land near Doorn; preview the audience; submit; Anna approves:
   A=$(curl -s -X POST {api}/api/announcements -H "Authorization: Bearer $PIETER" \
        -H 'Content-Type: application/json' \
        -d '{{"title": "Landbouwgrond bij Doorn komt mogelijk vrij", "text": "Wilt u meedoen? Reageer voor 1 maart.",
             "topic": "grondbeheer", "gemeenten": ["GM1581"], "point": {{"lat": 52.033, "lon": 5.342}}}}' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
   J='Content-Type: application/json'
   curl -s -X POST {api}/api/announcements/$A/preview -H "Authorization: Bearer $PIETER" -H "$J" -d {{}}
   curl -s -X POST {api}/api/announcements/$A/submit -H "Authorization: Bearer $PIETER" -H "$J" -d {{}}
   curl -s -X POST {api}/api/announcements/$A/approve -H "Authorization: Bearer $ANNA" -H "$J" -d {{}}
   curl -s "{api}/api/dev/mailbox?to=mark.visser@example.org"   # Mark's group follows grondbeheer there

   # 9. Mark's other application lives in the zaaksysteem. Anna sets its status there (nobody types it twice):
   #    the zaaksysteem notifies Baken (Notificaties API), Baken reads the zaak and tells Mark.
   curl -s -X POST {zaaksysteem}/_standin/zaken/{seeded.get("zaak_uuid", "")}/status -H 'Content-Type: application/json' \
        -d '{{"volgnummer": 2, "toelichting": "Uw aanvraag is compleet."}}'
   curl -s "{api}/api/dev/mailbox?to=mark.visser@example.org"
   curl -s {api}/api/me/cases -H "Authorization: Bearer $MARK"     # both cases, one of them from the zaaksysteem
   #    Sanne's contact moment of step 6 is a klantcontact in the Klantinteracties API too, about Mark's case:
   curl -s {zaaksysteem}/_standin/klantcontacten

 Press Ctrl-C to stop.
================================================================================
"""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack", description="Run Baken locally on moto.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="port of the API (chalice local)")
    parser.add_argument("--moto-port", type=int, default=5100, help="port of the embedded moto server")
    parser.add_argument("--no-seed", action="store_true", help="start empty, without the demo data")
    parser.add_argument("--followers", type=int, default=60, help="number of demo topic and area followers")
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="without the generated year of closed cases and weeks of questions (devstack/history.py)",
    )
    parser.add_argument(
        "--at",
        type=_moment,
        help="start Baken's clock at this moment and let it run on from there, e.g. 2026-10-05T06:55 to see the "
        "07:00 digest go out (ISO 8601; without an offset it is Dutch time)",
    )
    parser.add_argument(
        "--release-every", type=float, default=60, help="seconds between runs of the held e-mail and digest schedule"
    )
    return parser.parse_args(argv)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 moment: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))


def _clock_environment(at: datetime | None) -> dict[str, str]:
    """Baken's clock in this process and in chalice local: the real time, or shifted to start at ``at``."""
    if at is None:
        return {}
    return {"BAKEN_DEV_CLOCK_OFFSET": f"{(at - datetime.now(UTC)).total_seconds():.3f}"}


def _environment(moto_url: str, api_url: str, sent_mail_url: str, at: datetime | None = None) -> None:
    """This process, chalice local and the handlers all see the local stage's settings and talk to moto."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL": moto_url,
            **_stage_environment(),
            "BAKEN_PORTAL_URL": api_url,
            "BAKEN_DEV_ISSUER_KEY_FILE": str(_write_dev_key()),
            "BAKEN_DEV_LETTERS_DIR": str(LETTERS),
            "BAKEN_DEV_SENT_MAIL_URL": sent_mail_url,
            "BAKEN_TOKEN_SECRET": secrets.token_urlsafe(32),
            **_clock_environment(at),
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    shutil.rmtree(LETTERS, ignore_errors=True)  # the data is new on every start; so are the letters


def _start_zaaksysteem(host: str, api_url: str) -> StandIn:
    """The zaaksysteem stand-in (devstack/zaaksysteem.py), seeded with Mark's zaak, and Baken connected to it as an
    operator would connect a real one: its APIs with a client id and secret, the abonnement's Authorization value
    and the pseudonym key (the local stage takes these secrets from its settings)."""
    from devstack.zaaksysteem import start_standin

    callback_auth = f"Bearer {secrets.token_hex(32)}"
    client_secret = secrets.token_urlsafe(32)
    open_klant_token = secrets.token_hex(20)
    standin = start_standin(
        f"{api_url}/api/zgw/notificaties", callback_auth, {"baken": client_secret}, host=host, tokens=(open_klant_token,)
    )
    apis = [
        {"base_url": f"{standin.zaken_url}/", "client_id": "baken", "secret": client_secret},
        {"base_url": f"{standin.catalogi_url}/", "client_id": "baken", "secret": client_secret},
    ]
    os.environ.update(
        {
            "BAKEN_ZGW_APIS": json.dumps(apis),
            "BAKEN_ZGW_CALLBACK_AUTH": callback_auth,
            "BAKEN_PSEUDONYM_KEY": secrets.token_urlsafe(32),
            # the KCC's contact moments registered as klantcontacten, as in Open Klant
            "BAKEN_KLANTINTERACTIES_URL": standin.klantinteracties_url,
            "BAKEN_KLANTINTERACTIES_TOKEN": open_klant_token,
        }
    )
    return standin


def _wait_for_takeover(zaak_url: str, seconds: float = 30) -> None:
    """Until Baken has the zaak as a case and told its parties (or held it for the morning), so the walkthrough
    starts from a settled story."""
    from chalicelib import wiring
    from chalicelib.domain.notifications import NotificationStatus
    from chalicelib.domain.zgw import case_id_for

    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        told = wiring.adapters().outbox.for_case(case_id_for(zaak_url))
        if told and all(n.status.is_final or n.status is NotificationStatus.HELD for n in told):
            return
        time.sleep(0.25)
    print("[baken] the zaaksysteem's zaak was not taken over within 30 s: see the sync_zaak lines above", flush=True)


def _history(runner: EventRunner) -> None:
    """The generated year (devstack/history.py), after the demo went through the stream: its closed cases are
    history nobody is to be told of now, so the cases stream goes on from after them, and their servicenorm
    figures are rebuilt from the table as the operator's command does."""
    from chalicelib import wiring
    from chalicelib.ops import recompute_servicenorms
    from devstack.history import generate_history

    made = generate_history(wiring.adapters().clock.now())
    runner.stream.skip_to_latest()
    months = sum(1 for _ in recompute_servicenorms(wiring.services(), 13))
    print(
        f"[baken] a year of history: {made['cases']} closed cases ({months} product-months of servicenorm figures),"
        f" {made['contacts']} questions by onderwerp, {made['faqs']} veelgestelde vragen",
        flush=True,
    )


def _runner(outputs: StackOutputs, release_every: float) -> EventRunner:
    import boto3

    import app as baken
    from devstack.infra import mapping_settings
    from devstack.runner import EventRunner, LetterPrinter, QueuePoller, Scheduled, StreamPoller, StreamSettings

    session = boto3.Session(region_name="eu-west-1")
    sqs = session.client("sqs")
    return EventRunner(
        StreamPoller(
            streams=session.client("dynamodbstreams"),
            sqs=sqs,
            stream_arn=outputs.cases_stream_arn,
            handler=baken.app.handler_map["on_case_change"],
            settings=StreamSettings.from_mapping(mapping_settings("OnCaseChange"), batch_size=25),
            failure_queue_url=outputs.stream_failure_queue_url,
        ),
        QueuePoller(
            sqs=sqs,
            queue_url=outputs.delivery_queue_url,
            queue_arn=outputs.values["DeliveryQueueArn"],
            handler=baken.app.handler_map["deliver"],
        ),
        others=(
            StreamPoller(
                streams=session.client("dynamodbstreams"),
                sqs=sqs,
                stream_arn=outputs.subscriptions_stream_arn,
                handler=baken.app.handler_map["on_subscription_change"],
                settings=StreamSettings.from_mapping(mapping_settings("OnSubscriptionChange"), batch_size=10),
                failure_queue_url=outputs.stream_failure_queue_url,
                function_name="on_subscription_change",
            ),
            QueuePoller(
                sqs=sqs,
                queue_url=outputs.values["FeedbackQueueUrl"],
                queue_arn=outputs.values["FeedbackQueueArn"],
                handler=baken.app.handler_map["on_ses_feedback"],
                function_name="on_ses_feedback",
            ),
            QueuePoller(
                sqs=sqs,
                queue_url=outputs.values["NoticesQueueUrl"],
                queue_arn=outputs.values["NoticesQueueArn"],
                handler=baken.app.handler_map["sync_zaak"],
                function_name="sync_zaak",
                batch_size=1,
            ),
            QueuePoller(
                sqs=sqs,
                queue_url=outputs.values["JobsQueueUrl"],
                queue_arn=outputs.values["JobsQueueArn"],
                handler=baken.app.handler_map["fan_out_job"],
                function_name="fan_out_job",
                batch_size=1,
            ),
            Scheduled(baken.app.handler_map["release_held_email"], name="release_held_email", interval=release_every),
            Scheduled(baken.app.handler_map["reconcile_notifications"], name="reconcile_notifications", interval=release_every),
            Scheduled(baken.app.handler_map["watch_deadlines"], name="watch_deadlines", interval=release_every),
            LetterPrinter(sqs=sqs, queue_url=outputs.values["LettersQueueUrl"], folder=LETTERS),
        ),
        idle_sleep=0.25,  # Lambda polls a stream four times a second
    )


def _start_api(host: str, port: int) -> subprocess.Popen[bytes]:
    """``chalice local`` in a session of its own (Ctrl-C reaches the devstack alone, which stops it), ending with
    the devstack however that ends (devstack.with_parent)."""
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack.with_parent",
            str(os.getpid()),
            *("local", "--stage", "local", "--host", host, "--port", str(port), "--no-autoreload"),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    threading.Thread(target=_relay, args=(api.stdout, "[api]"), daemon=True).start()
    return api


def _walkthrough_tokens() -> dict[str, str]:
    from chalicelib import wiring
    from chalicelib.adapters.identity import load_personas

    issuer = wiring.adapters().dev_issuer
    if issuer is None:
        raise SystemExit("the dev issuer is not configured")
    personas = load_personas(str(wiring.DATA / "dev_personas.json"))
    return {key: issuer.issue(persona.claims, lifetime_seconds=8 * 3600) for key, persona in personas.items()}


def _stop_api(api: subprocess.Popen[bytes]) -> None:
    if api.poll() is None:
        os.killpg(api.pid, signal.SIGTERM)
        try:
            api.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(api.pid, signal.SIGKILL)
            api.wait()


def _interrupt_once(stopping: threading.Event) -> Callable[[int, FrameType | None], None]:
    """A handler for SIGINT and SIGTERM: the first one interrupts whatever runs (start-up included); the stack
    then stops in order, and signals that come while it stops do not interrupt that."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            raise KeyboardInterrupt

    return handler


def _serve(arguments: argparse.Namespace, running: contextlib.ExitStack) -> subprocess.Popen[bytes]:
    """Start moto, the data stack, the demo, the runner and the API; each one's stop goes on ``running``."""
    from devstack.embedded_moto import SENT_MAIL_PATH, EmbeddedMoto

    moto = EmbeddedMoto(arguments.host, arguments.moto_port)
    moto.start()
    running.callback(moto.stop)
    api_url = f"http://{arguments.host}:{arguments.port}"
    _environment(moto.url, api_url, moto.url + SENT_MAIL_PATH, arguments.at)

    import boto3

    from devstack.infra import create_data_stack

    outputs = create_data_stack(boto3.Session(region_name="eu-west-1"), "local")
    moto.housekeep()  # the models of the services the stack uses are loaded now
    os.environ["BAKEN_CASES_STREAM_ARN"] = outputs.cases_stream_arn
    os.environ["BAKEN_DOCUMENTS_BUCKET"] = outputs.documents_bucket
    os.environ["BAKEN_SUBSCRIPTIONS_STREAM_ARN"] = outputs.subscriptions_stream_arn
    os.environ["BAKEN_DELIVERY_QUEUE_URL"] = outputs.delivery_queue_url
    print(f"[baken] moto server on {moto.url}; data stack created from infra/data.json", flush=True)
    standin = _start_zaaksysteem(arguments.host, api_url)
    running.callback(standin.stop)
    print(f"[baken] zaaksysteem stand-in on {standin.base_url} (Zaken, Catalogi, Notificaties, Klantinteracties)", flush=True)
    if arguments.at is not None:
        print(f"[baken] Baken's clock starts at {arguments.at.isoformat(timespec='minutes')} and runs on", flush=True)

    from chalicelib import wiring

    wiring.reset()
    seeded: dict[str, str] = {}
    if not arguments.no_seed:
        from devstack.seed import seed

        seeded = seed(wiring.adapters().clock.now(), followers=arguments.followers)
        print(f"[baken] demo data loaded: Mark's case {seeded['mark_case_number']}", flush=True)

    runner = _runner(outputs, arguments.release_every)
    runner.run_until_idle()
    if not arguments.no_seed and not arguments.no_history:
        _history(runner)
    runner.start()
    running.callback(runner.stop)
    api = _start_api(arguments.host, arguments.port)
    running.callback(_stop_api, api)
    _wait_for(f"{api_url}/api/health", 60, api)
    if not arguments.no_seed:
        # Baken takes over Mark's zaak as a zaaksysteem tells it: a notification, then Baken reads the zaak
        from devstack.zaaksysteem import MARK_ZAAK_UUID

        standin.announce_zaak()
        _wait_for_takeover(standin.mark_zaak_url)
        zaak = standin.get("zaken", MARK_ZAAK_UUID) or {}
        seeded |= {"zaak_uuid": MARK_ZAAK_UUID, "zaak_number": str(zaak.get("identificatie", ""))}
    print(_banner(api_url, moto.url, seeded, _walkthrough_tokens(), standin.base_url), flush=True)
    print("[baken] ready", flush=True)
    return api


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    for port in (arguments.port, arguments.moto_port):
        if not _free(port, arguments.host):
            print(_port_in_use(port, arguments.host), flush=True)
            return 2
    for noisy in ("werkzeug", "moto"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    stopping = threading.Event()
    signal.signal(signal.SIGINT, _interrupt_once(stopping))
    signal.signal(signal.SIGTERM, _interrupt_once(stopping))
    try:
        with contextlib.ExitStack() as running:
            running.callback(print, "[baken] stopped", flush=True)
            try:
                api = _serve(arguments, running)
                while api.poll() is None:
                    time.sleep(0.5)
                print(f"[baken] chalice local stopped by itself (exit code {api.returncode})", flush=True)
                return 1
            finally:
                stopping.set()  # from here on a signal does not interrupt the stop
                print("[baken] stopping", flush=True)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
