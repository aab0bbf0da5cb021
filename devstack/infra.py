"""Create the data stack from infra/data.json in moto, exactly as an operator deploys it to AWS.

moto's CloudFormation builds the tables (keys, indexes, streams) and queues; it ignores TTL settings and
the SES configuration set, so those are applied here from the same template.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA_TEMPLATE = ROOT / "infra" / "data.json"
APP_TEMPLATE = ROOT / "infra" / "app.json"
SENDER = "noreply@mijn.provincie-utrecht.nl"
MAIL_DOMAIN = SENDER.split("@", 1)[1]
UNMODELLED = (
    "AWS::SES::ConfigurationSet",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy",
    "AWS::CloudWatch::Alarm",
)


# What moto's CloudFormation cannot create at all (it fails on a Fn::GetAtt of them): removed before the stack is
# created here, with every resource and output that refers to them. On AWS the template is deployed whole.
MOTO_CANNOT_CREATE = ("AWS::SES::EmailIdentity",)


def _references(value: Any) -> set[str]:
    """The logical ids ``value`` refers to (Ref, Fn::GetAtt, ${...} in Fn::Sub, DependsOn)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner.split(".", 1)[0])
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else str(inner).split(".", 1)[0])
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found |= {name.split(".", 1)[0] for name in re.findall(r"\$\{([^}!]+)\}", str(text))}
            found |= _references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _references(inner)
    return found


def without_resource_types(template: dict[str, Any], types: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``template`` without the resources of ``types`` and, transitively, the resources and outputs that
    refer to them; and the logical ids removed (sorted)."""
    result = copy.deepcopy(template)
    resources = result.get("Resources", {})
    removed = {name for name, resource in resources.items() if resource.get("Type") in types}
    while True:
        dependants = {
            name
            for name, resource in resources.items()
            if name not in removed and (_references(resource) | set(_as_list(resource.get("DependsOn")))) & removed
        }
        if not dependants:
            break
        removed |= dependants
    for name in removed:
        resources.pop(name, None)
    outputs = result.get("Outputs", {})
    for name in [name for name, output in outputs.items() if _references(output) & removed]:
        del outputs[name]
    return result, sorted(removed)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class StackOutputs:
    values: dict[str, str]

    @property
    def cases_stream_arn(self) -> str:
        return self.values["CasesStreamArn"]

    @property
    def subscriptions_stream_arn(self) -> str:
        return self.values["SubscriptionsStreamArn"]

    @property
    def delivery_queue_url(self) -> str:
        return self.values["DeliveryQueueUrl"]

    @property
    def dead_letter_queue_url(self) -> str:
        return self.values["DeliveryDeadLetterQueueUrl"]

    @property
    def stream_failure_queue_url(self) -> str:
        return self.values["StreamFailureQueueUrl"]

    @property
    def documents_bucket(self) -> str:
        return self.values["DocumentsBucketName"]


def load_template(path: Path = DATA_TEMPLATE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def create_data_stack(session: Any, stage: str, *, stack_name: str | None = None) -> StackOutputs:
    """Deploy infra/data.json for ``stage`` and return its outputs."""
    template = load_template()
    creatable, _ = without_resource_types(template, MOTO_CANNOT_CREATE)
    name = stack_name or f"baken-{stage}-data"
    cloudformation = session.client("cloudformation")
    with warnings.catch_warnings():
        # moto's CloudFormation skips, with a UserWarning each, the resource types it does not model: the SES
        # configuration set, the SNS subscriptions and topic and queue policies (completed below, or not enforced
        # by moto anyway) and the CloudWatch alarms (nothing raises an alarm locally). Expected, so not shown.
        warnings.filterwarnings("ignore", message=f".*({'|'.join(UNMODELLED)}).*", category=UserWarning)
        cloudformation.create_stack(
            StackName=name,
            TemplateBody=json.dumps(creatable),
            Parameters=[
                {"ParameterKey": "Stage", "ParameterValue": stage},
                {"ParameterKey": "MailDomain", "ParameterValue": MAIL_DOMAIN},
            ],
        )
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"data stack not created: {stack['StackStatus']}")
    outputs = StackOutputs({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})
    _apply_time_to_live(session, template, stage)
    _subscribe_queues_to_topics(session, template, stage)
    # the template's identity is the mail domain; locally the sender address is verified (moto's SES checks the source)
    session.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    return outputs


def _apply_time_to_live(session: Any, template: dict[str, Any], stage: str) -> None:
    dynamodb = session.client("dynamodb")
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        ttl = resource["Properties"].get("TimeToLiveSpecification")
        if ttl:
            table = resource["Properties"]["TableName"]["Fn::Sub"].replace("${Stage}", stage)
            dynamodb.update_time_to_live(
                TableName=table,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": bool(ttl["Enabled"])},
            )


def _subscribe_queues_to_topics(session: Any, template: dict[str, Any], stage: str) -> None:
    """moto's CloudFormation skips AWS::SNS::Subscription (and the topic and queue policies, which moto does
    not enforce anyway): make each subscription of the template with the API, as CloudFormation would."""
    sns, sqs = session.client("sns"), session.client("sqs")
    resources = template["Resources"]

    def name(logical_id: str, key: str) -> str:
        return str(resources[logical_id]["Properties"][key]["Fn::Sub"]).replace("${Stage}", stage)

    topics = {arn.rsplit(":", 1)[-1]: arn for arn in (t["TopicArn"] for t in sns.list_topics()["Topics"])}
    for resource in resources.values():
        if resource["Type"] != "AWS::SNS::Subscription" or resource["Properties"]["Protocol"] != "sqs":
            continue  # the operators' e-mail subscription to the alarm topic is conditional and not needed locally
        properties = resource["Properties"]
        queue_url = sqs.get_queue_url(QueueName=name(properties["Endpoint"]["Fn::GetAtt"][0], "QueueName"))["QueueUrl"]
        sns.subscribe(
            TopicArn=topics[name(properties["TopicArn"]["Ref"], "TopicName")],
            Protocol=properties["Protocol"],
            Endpoint=sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"],
            Attributes={"RawMessageDelivery": str(properties.get("RawMessageDelivery", False)).lower()},
        )


def mapping_settings(function: str) -> dict[str, Any]:
    """The event source mapping settings for a function from infra/app.json (what the local runner obeys)."""
    merge = load_template(APP_TEMPLATE)
    events = merge["Resources"][function]["Properties"]["Events"]
    (settings,) = (event["Properties"] for event in events.values())
    return settings
