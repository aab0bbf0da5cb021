"""The layer contracts (pyproject.toml, checked by lint-imports in `make lint`) cover the code as it grows."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT

NOT_SERVICES = {"ports", "ids", "__init__"}  # what adapters may use: the ports, and the id maker


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == contract_id)


def test_adapters_are_kept_from_every_service_module_but_the_ports():
    """The contract lists the service modules one by one: a new service must be added to it."""
    services = {p.stem for p in (ROOT / "chalicelib" / "services").glob("*.py")} - NOT_SERVICES
    forbidden = {
        m.rsplit(".", 1)[1]
        for m in _contract("adapters-implement-ports")["forbidden_modules"]
        if m.startswith("chalicelib.services.")
    }
    assert forbidden == services


def test_every_route_and_handler_package_is_in_an_independence_contract():
    routes = {f"chalicelib.routes.{p.name}.*" for p in (ROOT / "chalicelib" / "routes").iterdir() if (p / "__init__.py").exists()}
    assert set(_contract("routes-stand-alone")["modules"]) == routes
    assert _contract("handlers-stand-alone")["modules"] == ["chalicelib.handlers.*"]
