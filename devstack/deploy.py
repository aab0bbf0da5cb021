"""Deploy a stage: ``python -m devstack.deploy --stage prod`` (``make deploy STAGE=prod``).

Reads the stage's settings from ``infra/<stage>.env`` (``KEY=VALUE`` lines; ``--set KEY=VALUE`` overrides one;
``infra/example.env`` lists them all), checks every one before anything is created, and runs, printing each command
first:

1. ``aws cloudformation deploy`` of ``infra/data.json`` (tables, queues, SES identity, alarm topic) as the data stack;
2. ``chalice package --stage <stage> --merge-template infra/app.json build/<stage>`` (sam.json and the zip);
3. ``aws cloudformation package`` (uploads the zip to the artifact bucket, writes packaged.yaml);
4. ``aws cloudformation deploy`` of packaged.yaml as the application stack, every setting a parameter.

``--dry-run`` checks the settings and prints the commands without running any. Nothing is read from or written
to ``.chalice/config.json``: what differs per account (domain, certificate, broker, secrets) is a parameter.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.package import ROOT, chalice_command, chalice_environment

DEFAULT_REGION = "eu-west-1"
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/.+$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
HOSTED_ZONE = re.compile(r"^Z[A-Z0-9]{4,32}$")
STACK = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
EMAIL = re.compile(r"^[^@\s<>]+@([^@\s<>]+)$")
SENDER = re.compile(r"^(?:[^<>]*<)?([^@\s<>]+@([^@\s<>]+))>?$")
# The template's value for a secret of a zaaksysteem that is not connected (infra/app.json's defaults).
NO_SECRET = "arn:aws:secretsmanager:*:*:secret:baken-no-zaaksysteem"  # noqa: S105 - names no secret
CATALOGUS_URL = re.compile(r"^https://[^?#\s]+/catalogussen/[0-9a-fA-F-]{36}$")
RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}


def _https(value: str) -> bool:
    return value.startswith("https://") and len(value) > len("https://")


def _json_list(value: str) -> list[dict[str, object]]:
    """The objects of a JSON list (anything else: none)."""
    import json

    try:
        found = json.loads(value)
    except ValueError:
        return []
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _zgw_apis(value: str) -> bool:
    """A JSON list of ZGW APIs, each with an https base URL ending in /, a client id and a secret ARN."""
    import json

    try:
        apis = json.loads(value)
    except ValueError:
        return False
    return (
        isinstance(apis, list)
        and bool(apis)
        and all(
            isinstance(a, dict)
            and _https(str(a.get("base_url", "")))
            and str(a.get("base_url", "")).endswith("/")
            and bool(a.get("client_id"))
            and bool(SECRET_ARN.match(str(a.get("secret_name", ""))))
            for a in apis
        )
    )


def zgw_secret_arns(value: str) -> str:
    """The secret ARNs of ZGW_APIS, comma-separated, as the template's ZgwSecretArns takes them."""
    import json

    return ",".join(str(a["secret_name"]) for a in json.loads(value))


@dataclass(frozen=True)
class Setting:
    key: str
    meaning: str
    required: bool = True
    valid: Callable[[str], object] | None = None
    expected: str = ""


SETTINGS = (
    Setting("ARTIFACT_BUCKET", "S3 bucket the deployment zip is uploaded to", valid=BUCKET.match, expected="an S3 bucket name"),
    Setting(
        "DOMAIN_NAME", "host name of the portal and API (custom domain)", valid=DOMAIN.match, expected="a lower-case host name"
    ),
    Setting(
        "CERTIFICATE_ARN",
        "ACM certificate for DOMAIN_NAME in REGION",
        valid=CERTIFICATE_ARN.match,
        expected="an ACM certificate ARN",
    ),
    Setting("MAIL_DOMAIN", "domain the e-mails are sent from (SES identity, DKIM)", valid=DOMAIN.match, expected="a domain"),
    Setting("SENDER", "From address, in MAIL_DOMAIN", valid=SENDER.match, expected='"Name <address>" or an address'),
    Setting("OIDC_ISSUER", "the login broker's issuer (DigiD, eHerkenning)", valid=_https, expected="an https:// URL"),
    Setting("OIDC_AUDIENCE", "audience of the broker's API bearer tokens"),
    Setting("OIDC_CLIENT_ID", "Baken's client id at the broker"),
    Setting(
        "OIDC_CLIENT_SECRET_ARN",
        "Secrets Manager secret with Baken's client secret at the broker",
        valid=SECRET_ARN.match,
        expected="a secret ARN",
    ),
    Setting("STAFF_OIDC_ISSUER", "the province's identity provider for staff", valid=_https, expected="an https:// URL"),
    Setting("STAFF_OIDC_AUDIENCE", "audience of the staff provider's API bearer tokens"),
    Setting("STAFF_OIDC_CLIENT_ID", "Baken's client id at the staff provider"),
    Setting(
        "STAFF_OIDC_CLIENT_SECRET_ARN",
        "Secrets Manager secret with Baken's client secret at the staff provider",
        valid=SECRET_ARN.match,
        expected="a secret ARN",
    ),
    Setting(
        "TOKEN_SECRET_ARN",
        "Secrets Manager secret with the link and cookie keys",
        valid=SECRET_ARN.match,
        expected="a secret ARN",
    ),
    Setting(
        "REGION", f"AWS region (default {DEFAULT_REGION})", required=False, valid=re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$").match
    ),
    Setting(
        "DATA_STACK", "data stack name (default baken-<stage>-data)", required=False, valid=STACK.match, expected="a stack name"
    ),
    Setting(
        "APP_STACK", "application stack name (default baken-<stage>)", required=False, valid=STACK.match, expected="a stack name"
    ),
    Setting(
        "HOSTED_ZONE_ID", "Route 53 zone of DOMAIN_NAME (optional)", required=False, valid=HOSTED_ZONE.match, expected="a zone id"
    ),
    Setting("MAIL_HOSTED_ZONE_ID", "Route 53 zone of MAIL_DOMAIN (optional)", required=False, valid=HOSTED_ZONE.match),
    Setting("ALARM_EMAIL", "on-call address for the alarms (optional)", required=False, valid=EMAIL.match, expected="an address"),
    Setting(
        "OIN",
        "the province's OIN (20 digits), the source of Baken's events",
        valid=re.compile(r"^\d{20}$").match,
        expected="20 digits",
    ),
    Setting(
        "KLANTINTERACTIES_URL",
        "the Klantinteracties API (Open Klant 2) contact moments are registered in (optional)",
        required=False,
        valid=_https,
        expected="an https:// URL",
    ),
    Setting(
        "KLANTINTERACTIES_TOKEN_SECRET_ARN",
        "secret with Baken's Open Klant token (with KLANTINTERACTIES_URL)",
        required=False,
        valid=SECRET_ARN.match,
        expected="a secret ARN",
    ),
    Setting(
        "ZGW_APIS",
        "the zaaksysteem's Zaken and Catalogi APIs: JSON list of {base_url, client_id, secret_name} (optional)",
        required=False,
        valid=_zgw_apis,
        expected='a JSON list like [{"base_url": "https://…/zaken/api/v1/", "client_id": "baken", "secret_name": "arn:…"}]',
    ),
    Setting(
        "ZGW_CALLBACK_AUTH_SECRET_ARN",
        "secret with the Authorization value the Notificaties abonnement sends (with ZGW_APIS)",
        required=False,
        valid=SECRET_ARN.match,
        expected="a secret ARN",
    ),
    Setting(
        "PSEUDONYM_KEY_SECRET_ARN",
        "secret with the pairwise pseudonym key shared with the login broker (with ZGW_APIS)",
        required=False,
        valid=SECRET_ARN.match,
        expected="a secret ARN",
    ),
    Setting(
        "CATALOGUS_URL",
        "the catalogus in the Catalogi API the zaaktypen are read from (with ZGW_APIS; optional)",
        required=False,
        valid=CATALOGUS_URL.match,
        expected="https://…/catalogi/api/v1/catalogussen/<uuid>",
    ),
    Setting("PSEUDONYM_SECTOR", "sector of the pairwise pseudonyms (default baken)", required=False),
    Setting(
        "LOG_RETENTION_DAYS",
        "days logs are kept (default 400)",
        required=False,
        valid=lambda v: v.isdigit() and int(v) in RETENTION_DAYS,
    ),
)
KNOWN = {setting.key for setting in SETTINGS}
# Read by make smoke, not by the deployment
SMOKE_KEYS = ("SMOKE_STAFF_TOKEN_FILE", "SMOKE_APPLICANT", "SMOKE_ZAAKTYPE", "SMOKE_GEMEENTE")


class SettingsError(Exception):
    """One or more settings are missing or malformed; the message names each."""


def read_settings(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines; blank lines and ``#`` comments skipped, values may be quoted."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, separator, value = stripped.partition("=")
        if not separator:
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE, got {stripped!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@dataclass(frozen=True)
class Plan:
    stage: str
    region: str
    data_stack: str
    app_stack: str
    out: Path
    commands: tuple[tuple[str, ...], ...]


def validate(stage: str, values: Mapping[str, str]) -> list[str]:
    """Every problem with ``values``, one line each naming the setting (empty: all good)."""
    problems = []
    for setting in SETTINGS:
        value = values.get(setting.key, "")
        if not value:
            if setting.required:
                problems.append(f"{setting.key} is missing: {setting.meaning}")
            continue
        if setting.valid and not setting.valid(value):
            problems.append(f"{setting.key}={value!r} is not {setting.expected or 'valid'}: {setting.meaning}")
    unknown = sorted(set(values) - KNOWN - set(SMOKE_KEYS))
    problems += [f"{key} is not a setting (known: {', '.join(sorted(KNOWN))})" for key in unknown]
    sender = SENDER.match(values.get("SENDER", ""))
    mail_domain = values.get("MAIL_DOMAIN", "")
    if sender and mail_domain and sender.group(2).lower() != mail_domain.lower():
        problems.append(f"SENDER {sender.group(1)} is not in MAIL_DOMAIN {mail_domain}: SES only sends from the verified domain")
    if values.get("KLANTINTERACTIES_URL") and not values.get("KLANTINTERACTIES_TOKEN_SECRET_ARN"):
        problems.append("KLANTINTERACTIES_TOKEN_SECRET_ARN is missing: registering contact moments needs Baken's token")
    if values.get("CATALOGUS_URL"):
        bases = [str(a.get("base_url", "")) for a in _json_list(values.get("ZGW_APIS", ""))]
        if not any(b and values["CATALOGUS_URL"].startswith(b) for b in bases):
            problems.append("CATALOGUS_URL is not under one of the ZGW_APIS base URLs: Baken could not read it")
    if values.get("ZGW_APIS"):
        problems += [
            f"{key} is missing: a connected zaaksysteem needs it"
            for key in ("ZGW_CALLBACK_AUTH_SECRET_ARN", "PSEUDONYM_KEY_SECRET_ARN")
            if not values.get(key)
        ]
    certificate = CERTIFICATE_ARN.match(values.get("CERTIFICATE_ARN", ""))
    region = values.get("REGION") or DEFAULT_REGION
    if certificate and certificate.group(1) != region:
        problems.append(
            f"CERTIFICATE_ARN is in {certificate.group(1)}, not in REGION {region}: a regional custom domain needs it there"
        )
    if stage not in {"dev", "prod"}:
        problems.append(f"stage {stage!r} cannot be deployed (dev or prod; local runs with python -m devstack)")
    return problems


def plan(stage: str, values: Mapping[str, str], *, out: Path | None = None) -> Plan:
    """The commands that deploy ``stage`` with ``values``; SettingsError naming every problem first."""
    problems = validate(stage, values)
    if problems:
        raise SettingsError("\n".join(problems))
    region = values.get("REGION") or DEFAULT_REGION
    data_stack = values.get("DATA_STACK") or f"baken-{stage}-data"
    app_stack = values.get("APP_STACK") or f"baken-{stage}"
    out = out or Path("build") / stage
    bucket = values["ARTIFACT_BUCKET"]
    data_parameters = {
        "Stage": stage,
        "MailDomain": values["MAIL_DOMAIN"],
        "MailHostedZoneId": values.get("MAIL_HOSTED_ZONE_ID", ""),
        "AlarmEmail": values.get("ALARM_EMAIL", ""),
    }
    app_parameters = {
        "DataStack": data_stack,
        "DomainName": values["DOMAIN_NAME"],
        "CertificateArn": values["CERTIFICATE_ARN"],
        "HostedZoneId": values.get("HOSTED_ZONE_ID", ""),
        "SenderAddress": values["SENDER"],
        "OidcIssuer": values["OIDC_ISSUER"],
        "OidcAudience": values["OIDC_AUDIENCE"],
        "OidcClientId": values["OIDC_CLIENT_ID"],
        "OidcClientSecretArn": values["OIDC_CLIENT_SECRET_ARN"],
        "StaffOidcIssuer": values["STAFF_OIDC_ISSUER"],
        "StaffOidcAudience": values["STAFF_OIDC_AUDIENCE"],
        "StaffOidcClientId": values["STAFF_OIDC_CLIENT_ID"],
        "StaffOidcClientSecretArn": values["STAFF_OIDC_CLIENT_SECRET_ARN"],
        "TokenSecretArn": values["TOKEN_SECRET_ARN"],
        "LogRetentionDays": values.get("LOG_RETENTION_DAYS") or "400",
        "ZgwApis": values.get("ZGW_APIS", ""),
        "CatalogusUrl": values.get("CATALOGUS_URL", ""),
        "Oin": values["OIN"],
        "KlantinteractiesUrl": values.get("KLANTINTERACTIES_URL", ""),
        "KlantinteractiesTokenSecretArn": values.get("KLANTINTERACTIES_TOKEN_SECRET_ARN") or NO_SECRET,
        "PseudonymSector": values.get("PSEUDONYM_SECTOR") or "baken",
    }
    connected = bool(values.get("ZGW_APIS"))  # else no secret is named and no policy made
    app_parameters |= {
        "ZgwSecretArns": zgw_secret_arns(values["ZGW_APIS"]) if connected else NO_SECRET,
        "ZgwCallbackAuthSecretArn": values["ZGW_CALLBACK_AUTH_SECRET_ARN"] if connected else NO_SECRET,
        "PseudonymKeySecretArn": values["PSEUDONYM_KEY_SECRET_ARN"] if connected else NO_SECRET,
    }
    deploy = ("aws", "cloudformation", "deploy", "--region", region, "--no-fail-on-empty-changeset")
    chalice = chalice_command(stage, out)
    commands = (
        (
            *deploy,
            "--template-file",
            "infra/data.json",
            "--stack-name",
            data_stack,
            "--parameter-overrides",
            *_pairs(data_parameters),
        ),
        ("chalice", *chalice[1:]),
        (
            "aws",
            "cloudformation",
            "package",
            "--region",
            region,
            "--template-file",
            str(out / "sam.json"),
            "--s3-bucket",
            bucket,
            "--s3-prefix",
            app_stack,
            "--output-template-file",
            str(out / "packaged.yaml"),
        ),
        (
            *deploy,
            "--template-file",
            str(out / "packaged.yaml"),
            "--stack-name",
            app_stack,
            "--s3-bucket",
            bucket,
            "--s3-prefix",
            app_stack,
            "--capabilities",
            "CAPABILITY_IAM",
            "CAPABILITY_AUTO_EXPAND",
            "--parameter-overrides",
            *_pairs(app_parameters),
        ),
    )
    return Plan(stage, region, data_stack, app_stack, out, commands)


def _pairs(parameters: Mapping[str, str]) -> list[str]:
    return [f"{key}={value}" for key, value in parameters.items()]


def shown(command: tuple[str, ...]) -> str:
    return " ".join(shlex.quote(part) for part in command)


def run(deployment: Plan, *, echo: Callable[[str], None] = print) -> int:
    """Run the plan's commands in order, each printed first; stops at the first that fails."""
    missing = [tool for tool in ("aws",) if shutil.which(tool) is None]
    if missing:
        echo("the AWS CLI (aws) is not installed: pip install awscli, or see https://aws.amazon.com/cli/")
        return 2
    for command in deployment.commands:
        echo(f"$ {shown(command)}")
        if command[0] == "chalice":
            argv = [*chalice_command(deployment.stage, deployment.out)]
            completed = subprocess.run(argv, cwd=ROOT, env=chalice_environment(deployment.region), check=False)
        else:
            completed = subprocess.run(list(command), cwd=ROOT, check=False)
        if completed.returncode != 0:
            echo(f"failed ({completed.returncode}); nothing after it ran")
            return completed.returncode
    echo(f"deployed {deployment.app_stack}; now: make smoke STAGE={deployment.stage}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="dev or prod")
    parser.add_argument("--settings", type=Path, help="settings file (default: infra/<stage>.env)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one setting")
    parser.add_argument("--dry-run", action="store_true", help="check the settings and print the commands; run nothing")
    arguments = parser.parse_args(argv)
    path = arguments.settings or ROOT / "infra" / f"{arguments.stage}.env"
    try:
        values = read_settings(path) if path.is_file() else {}
        for override in arguments.set:
            key, separator, value = override.partition("=")
            if not separator:
                raise SettingsError(f"--set {override!r}: expected KEY=VALUE")
            values[key] = value
        if not values:
            raise SettingsError(f"no settings: write {path} (see infra/example.env) or pass --set KEY=VALUE")
        deployment = plan(arguments.stage, values)
    except SettingsError as error:
        print(f"cannot deploy stage {arguments.stage}; nothing was created:\n{error}", file=sys.stderr)
        return 2
    if arguments.dry_run:
        for command in deployment.commands:
            print(f"$ {shown(command)}")
        print("(dry run: settings checked, nothing run)")
        return 0
    return run(deployment)


if __name__ == "__main__":
    sys.exit(main())
