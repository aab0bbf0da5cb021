"""The domain layer is plain Python: it imports nothing from AWS, Chalice or pynamodb, directly or through
another module. Checked in a fresh interpreter, so what the test process already imported cannot hide it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN = ("boto3", "botocore", "chalice", "pynamodb", "moto", "jinja2", "aws_lambda_powertools", "jwt")
DOMAIN = ROOT / "chalicelib" / "domain"


def _imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_domain_module_names_an_aws_chalice_or_pynamodb_import():
    offending = {
        str(path.relative_to(ROOT)): sorted(n for n in _imported_names(path) if n.split(".")[0] in FORBIDDEN)
        for path in DOMAIN.rglob("*.py")
    }
    assert {file: names for file, names in offending.items() if names} == {}


def test_importing_every_domain_module_loads_none_of_them():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in DOMAIN.rglob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_importing_the_app_loads_no_sdk_orm_template_engine_or_logging_library():
    """A cold start pays only for what a request needs: boto3, pynamodb, jinja2 and powertools are imported
    by the first call that uses them, not by ``import app``; Babel is a development tool only."""
    heavy = ("boto3", "botocore", "pynamodb", "jinja2", "aws_lambda_powertools", "moto", "babel")
    code = f"import sys\nimport app\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_importing_the_app_reads_no_catalogue():
    """The translations of a language are read when a text in it is first needed, not by ``import app``."""
    code = "import app\nfrom chalicelib import i18n\nprint(i18n._read.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
