"""How much the Lambda deployment package weighs: ``python -m bench.package_size`` (``make bench`` runs it too).

Reports the zip that ``chalice package --stage prod`` builds, and what a zip relying on the Lambda runtime's own
boto3, botocore and s3transfer would weigh: the compressed sizes of the zip entries outside those packages (and
their ``*.dist-info``), summed. The zip's own headers (~100 bytes an entry) are counted separately.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from devstack.package import ROOT, PackageResult, inspect_package, package, top_level

STAGE = "prod"
BUILD = ROOT / "build" / STAGE
# Packages the Lambda Python runtime already ships.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer")
TOP_ENTRIES = 15
# What the package is built from: a build/prod zip older than any of these is stale.
INPUTS = ("app.py", "chalicelib", "templates", "vendor", "requirements.txt", ".chalice/config.json", "infra/app.json")
# Local file header (30 bytes) and central directory record (46 bytes) of one entry, before name and extra field.
ZIP_ENTRY_OVERHEAD = 30 + 46
ZIP_END_RECORD = 22


def in_runtime(name: str) -> bool:
    """True for a zip entry of boto3, botocore or s3transfer, their metadata folders included."""
    head = name.split("/", 1)[0]
    return top_level(name) in RUNTIME_PACKAGES or any(
        head.startswith(f"{package_name}-") and head.endswith(".dist-info") for package_name in RUNTIME_PACKAGES
    )


def _megabytes(size: int) -> float:
    return round(size / 1_000_000, 2)


def _newest_input() -> float:
    newest = 0.0
    for name in INPUTS:
        path = ROOT / name
        paths = [path] if path.is_file() else path.rglob("*")
        for item in paths:
            if item.is_file() and "__pycache__" not in item.parts:
                newest = max(newest, item.stat().st_mtime)
    return newest


def _reusable_build() -> PackageResult | None:
    zip_path = BUILD / "deployment.zip"
    if zip_path.is_file() and (BUILD / "sam.json").is_file() and zip_path.stat().st_mtime >= _newest_input():
        return inspect_package(STAGE, BUILD)
    return None


def measure(result: PackageResult, *, top: int = TOP_ENTRIES) -> dict[str, Any]:
    """Sizes of one built package: the zip, the zip without the runtime's SDK, the biggest entries and groups."""
    with zipfile.ZipFile(result.deployment_zip) as archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
    kept = [info for info in entries if not in_runtime(info.filename)]
    kept_compressed = sum(info.compress_size for info in kept)
    kept_headers = sum(
        ZIP_ENTRY_OVERHEAD + 2 * (len(info.filename.encode()) + len(info.extra)) + len(info.comment) for info in kept
    )
    biggest = sorted(entries, key=lambda info: info.compress_size, reverse=True)[:top]
    return {
        "name": "package_size",
        "stage": result.stage,
        "zip_path": str(result.deployment_zip),
        "zip_bytes": result.zip_bytes,
        "zip_mb": _megabytes(result.zip_bytes),
        "entries": len(entries),
        "uncompressed_bytes": sum(info.file_size for info in entries),
        "without_runtime_sdk_bytes": kept_compressed,
        "without_runtime_sdk_mb": _megabytes(kept_compressed),
        "without_runtime_sdk_zip_bytes_estimate": kept_compressed + kept_headers + ZIP_END_RECORD,
        "without_runtime_sdk_entries": len(kept),
        "runtime_sdk_packages": list(RUNTIME_PACKAGES),
        "top_entries": [
            {"path": info.filename, "compressed_bytes": info.compress_size, "bytes": info.file_size} for info in biggest
        ],
        "top_packages": [{"package": name, "compressed_bytes": size} for name, size in list(result.compressed.items())[:top]],
        "package_seconds": round(result.seconds, 2) if result.seconds else None,
    }


def run(quick: bool = False) -> dict[str, object]:
    """Build the prod package and measure it. ``quick`` reuses build/prod (``make package``) when it is newer
    than every input, and builds into a temporary folder otherwise; the full run always builds afresh, so
    ``package_seconds`` is the time ``chalice package`` took."""
    reused = _reusable_build() if quick else None
    if reused is not None:
        return {**measure(reused), "source": "build/prod (reused)"}
    with tempfile.TemporaryDirectory(prefix="baken-package-") as folder:
        return {**measure(package(STAGE, Path(folder))), "source": "fresh chalice package"}


def summarize(result: dict[str, Any]) -> list[str]:
    """A few lines for ``python -m bench``: both sizes, the biggest packages, how long packaging took."""
    lines = [
        f"zip: {result['zip_bytes']:,} bytes ({result['zip_mb']} MB), {result['entries']} entries ({result['source']})",
        f"without {'/'.join(RUNTIME_PACKAGES)}: {result['without_runtime_sdk_bytes']:,} bytes compressed "
        f"({result['without_runtime_sdk_mb']} MB)",
        "biggest packages: "
        + ", ".join(f"{entry['package']} {entry['compressed_bytes'] / 1_000_000:.2f} MB" for entry in result["top_packages"][:5]),
    ]
    if result.get("package_seconds") is not None:
        lines.append(f"chalice package: {result['package_seconds']} s")
    return lines


def main() -> None:
    result = run()
    print("\n".join(summarize(result)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
