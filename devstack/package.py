"""Build the deployment package: ``python -m devstack.package --stage prod --out build/prod`` (``make package``).

Runs ``chalice package --stage <stage> --merge-template infra/app.json <out>`` from the project root, which writes
``sam.json`` (a SAM template with the event source mapping settings of infra/app.json merged in) and
``deployment.zip``. Chalice downloads manylinux wheels from PyPI, so the package index must be reachable; no AWS
account is needed.

``expand_sam`` turns the SAM template into plain CloudFormation offline (samtranslator without IAM or any other
AWS call), so cfn-lint can check the resources CloudFormation will really create.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MERGE_TEMPLATE = ROOT / "infra" / "app.json"
# Chalice caches the zip in .chalice/deployments/<hash>.zip and writes it through one fixed temporary name, so two
# `chalice package` runs in one checkout (make package, tests on two workers, a benchmark) must take turns.
LOCK_FILE = ROOT / ".chalice" / "deployments" / ".package.lock"
DEFAULT_REGION = "eu-west-1"
SAM_TEMPLATE_NAME = "sam.json"
ZIP_NAME = "deployment.zip"
# What `aws cloudformation package` puts in place of the local CodeUri; samtranslator only accepts S3 locations.
PLACEHOLDER_CODE_URI = "s3://baken-artifacts-placeholder/deployment.zip"
# Inherited variables that must not reach `chalice package`: the package is built from .chalice/config.json only,
# never from a developer's local stack (moto endpoint, local stage, test settings).
_DROPPED_PREFIXES = ("BAKEN_", "POWERTOOLS_")
_DROPPED_NAMES = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PYTHONPATH")
_METADATA_SUFFIXES = (".dist-info", ".data", ".egg-info")


class PackageError(Exception):
    """``chalice package`` failed or did not write what it should."""


@dataclass(frozen=True)
class PackageResult:
    """What ``chalice package`` wrote, and what the zip is made of.

    ``contents`` and ``compressed`` map a top-level name inside the zip (``botocore``, ``boto3``, ``chalicelib``,
    ``templates``, ``app``, ..., with every ``*.dist-info`` folder counted as ``(metadata)``) to its bytes
    uncompressed and compressed, largest first.
    """

    stage: str
    sam_template: Path
    deployment_zip: Path
    zip_bytes: int
    seconds: float
    contents: dict[str, int] = field(default_factory=dict)
    compressed: dict[str, int] = field(default_factory=dict)

    def template(self) -> dict[str, Any]:
        """The generated SAM template, parsed."""
        return json.loads(self.sam_template.read_text(encoding="utf-8"))


def top_level(name: str) -> str:
    """The group a zip entry belongs to: its first path component, ``.py`` dropped (``six.py`` -> ``six``);
    distribution metadata folders are one group, ``(metadata)``."""
    head = name.split("/", 1)[0]
    if head.endswith(_METADATA_SUFFIXES):
        return "(metadata)"
    return head.removesuffix(".py")


def zip_groups(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Uncompressed and compressed bytes per top-level group of a zip, largest first."""
    uncompressed: Counter[str] = Counter()
    compressed: Counter[str] = Counter()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            group = top_level(info.filename)
            uncompressed[group] += info.file_size
            compressed[group] += info.compress_size
    return dict(uncompressed.most_common()), dict(compressed.most_common())


def chalice_environment(region: str | None = None) -> dict[str, str]:
    """The environment ``chalice package`` runs in: the caller's, without a local endpoint, profile or stage
    settings, with AWS_DEFAULT_REGION set (``eu-west-1`` unless the caller set one)."""
    environment = {
        name: value for name, value in os.environ.items() if name not in _DROPPED_NAMES and not name.startswith(_DROPPED_PREFIXES)
    }
    environment["AWS_DEFAULT_REGION"] = region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return environment


def chalice_command(stage: str, out: Path) -> list[str]:
    """The ``chalice package`` command line, using the chalice of the running interpreter's environment."""
    chalice = Path(sys.executable).with_name("chalice")
    return [
        str(chalice) if chalice.exists() else "chalice",
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(MERGE_TEMPLATE.relative_to(ROOT)),
        str(out),
    ]


@contextlib.contextmanager
def chalice_lock() -> Iterator[None]:
    """Hold the checkout's packaging lock (POSIX advisory lock; no lock where fcntl does not exist)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def package(stage: str, out: Path, *, region: str | None = None) -> PackageResult:
    """Run ``chalice package`` for ``stage`` into ``out`` (created if needed; a previous sam.json and
    deployment.zip there are removed first) and describe the result. Raises PackageError when chalice fails."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / SAM_TEMPLATE_NAME, out / ZIP_NAME):
        stale.unlink(missing_ok=True)
    with chalice_lock():
        started = time.perf_counter()
        completed = subprocess.run(
            chalice_command(stage, out),
            cwd=ROOT,
            env=chalice_environment(region),
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise PackageError(f"chalice package failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return inspect_package(stage, out, seconds=seconds)


def inspect_package(stage: str, out: Path, *, seconds: float = 0.0) -> PackageResult:
    """Describe a package ``chalice package`` wrote into ``out`` earlier (``seconds``: how long that took, if
    known). Raises PackageError when sam.json or deployment.zip is missing."""
    out = Path(out).resolve()
    sam_template, deployment_zip = out / SAM_TEMPLATE_NAME, out / ZIP_NAME
    missing = [path.name for path in (sam_template, deployment_zip) if not path.is_file()]
    if missing:
        raise PackageError(f"no {', '.join(missing)} in {out}")
    contents, compressed = zip_groups(deployment_zip)
    return PackageResult(
        stage=stage,
        sam_template=sam_template,
        deployment_zip=deployment_zip,
        zip_bytes=deployment_zip.stat().st_size,
        seconds=seconds,
        contents=contents,
        compressed=compressed,
    )


def with_s3_code_uri(template: dict[str, Any], code_uri: str = PLACEHOLDER_CODE_URI) -> dict[str, Any]:
    """A copy of ``template`` whose functions' local ``CodeUri`` (``./deployment.zip``) points at S3, as
    ``aws cloudformation package`` would leave it."""
    result = copy.deepcopy(template)
    for resource in result.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        code = properties.get("CodeUri")
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(code, str) and not code.startswith("s3://"):
            properties["CodeUri"] = code_uri
    return result


def expand_sam(
    template: dict[str, Any],
    *,
    region: str = DEFAULT_REGION,
    parameter_values: dict[str, Any] | None = None,
    managed_policies: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Expand a SAM template to plain CloudFormation offline, as the ``AWS::Serverless-2016-10-31`` transform
    would. No AWS call: managed policy names resolve from ``managed_policies`` (empty by default; Baken's
    roles are explicit, so SAM needs none), and the region only names the partition. A local ``CodeUri`` is
    replaced by an S3 placeholder first (samtranslator accepts nothing else). The input is not modified.
    Raises samtranslator's InvalidDocumentException for a template the transform would reject."""
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics  # type: ignore[import-untyped]
    from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]
    from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]

    policies = dict(managed_policies or {})
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator(
        None,
        Parser(),
        boto_session=boto3.session.Session(region_name=region),
        metrics=metrics,
    )
    try:
        expanded: dict[str, Any] = translator.translate(
            with_s3_code_uri(template),
            parameter_values=dict(parameter_values or {}),
            get_managed_policy_map=lambda: policies,
        )
    finally:
        metrics.publish()
    return expanded


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def describe(result: PackageResult, *, groups: int = 8) -> str:
    """A few lines for the operator: where the package is, how big, and what makes it big."""
    lines = [
        f"{result.deployment_zip}  {result.zip_bytes:,} bytes ({_megabytes(result.zip_bytes)}), built in {result.seconds:.1f} s",
        f"{result.sam_template}",
        "compressed size by top-level package:",
    ]
    shown = list(result.compressed.items())[:groups]
    rest = sum(list(result.compressed.values())[groups:])
    lines += [f"  {name:<24} {size:>12,}" for name, size in shown]
    if rest:
        lines.append(f"  {'others':<24} {rest:>12,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the zip size and path."""
    parser = argparse.ArgumentParser(prog="python -m devstack.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="prod", help="Chalice stage in .chalice/config.json (default: prod)")
    parser.add_argument("--out", type=Path, help="output directory (default: build/<stage>)")
    arguments = parser.parse_args(argv)
    out = arguments.out or ROOT / "build" / arguments.stage
    try:
        result = package(arguments.stage, out)
    except PackageError as error:
        print(error, file=sys.stderr)
        return 1
    print(describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
