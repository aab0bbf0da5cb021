"""The pure parts of the ZGW client: a zaakgeometrie as one point, a gemeente code in Baken's form, and which URLs
the client may ever fetch (no network here: tests/contract/test_zgw_client.py has the HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.zgw import ZgwApi, ZgwClient, ZgwUrlNotAllowedError, gemeente_code, representative_point
from chalicelib.domain.reference import Point

UUID = "6f1e4c2a-3b5d-4e7f-8a9b-0c1d2e3f4a5b"


def test_a_point_is_lon_lat() -> None:
    assert representative_point({"type": "Point", "coordinates": [5.1214, 52.0907]}) == Point(lat=52.0907, lon=5.1214)


def test_a_polygon_is_the_centroid_of_its_outer_ring() -> None:
    square = [[5.0, 52.0], [5.2, 52.0], [5.2, 52.2], [5.0, 52.2], [5.0, 52.0]]
    hole = [[5.0, 52.0], [5.01, 52.0], [5.01, 52.01], [5.0, 52.0]]

    point = representative_point({"type": "Polygon", "coordinates": [square, hole]})

    assert point is not None
    assert point.lat == pytest.approx(52.1)
    assert point.lon == pytest.approx(5.1)


def test_a_multipolygon_is_weighted_by_area() -> None:
    big = [[[0.0, 0.0], [3.0, 0.0], [3.0, 3.0], [0.0, 3.0], [0.0, 0.0]]]  # area 9, centre (1.5, 1.5)
    small = [[[10.0, 0.0], [11.0, 0.0], [11.0, 1.0], [10.0, 1.0], [10.0, 0.0]]]  # area 1, centre (10.5, 0.5)

    point = representative_point({"type": "MultiPolygon", "coordinates": [big, small]})

    assert point is not None
    assert point.lon == pytest.approx((1.5 * 9 + 10.5) / 10)
    assert point.lat == pytest.approx((1.5 * 9 + 0.5) / 10)


@pytest.mark.parametrize(
    "geometry",
    [
        None,
        "POINT(5 52)",
        {"type": "LineString", "coordinates": [[5.0, 52.0], [5.1, 52.1]]},
        {"type": "Point", "coordinates": [5.0]},
        {"type": "Point", "coordinates": ["5", "52"]},
        {"type": "Point", "coordinates": [155000, 463000]},  # RD New, not WGS84
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[["x", "y"]]]},
    ],
)
def test_anything_else_is_no_point(geometry: Any) -> None:
    assert representative_point(geometry) is None


@pytest.mark.parametrize(
    ("value", "code"), [("0344", "GM0344"), ("GM0344", "GM0344"), ("gm0344", "GM0344"), (" 0307 ", "GM0307")]
)
def test_a_gemeente_code_is_written_as_cbs_writes_it(value: str, code: str) -> None:
    assert gemeente_code(value) == code


@pytest.mark.parametrize("value", ["344", "Utrecht", "GM03440", "", None, 344])
def test_a_gemeente_code_that_is_none_is_none(value: Any) -> None:
    assert gemeente_code(value) is None


def client() -> ZgwClient:
    return ZgwClient(
        [
            ZgwApi("https://zaken.example.nl/zaken/api/v1", "baken", lambda: "s"),
            ZgwApi("https://zaken.example.nl/catalogi/api/v1/", "baken", lambda: "s"),
        ]
    )


@pytest.mark.parametrize(
    "url",
    [
        f"https://zaken.example.nl/zaken/api/v1/zaken/{UUID}",
        f"https://ZAKEN.example.nl/zaken/api/v1/zaken/{UUID}",
        "https://zaken.example.nl/catalogi/api/v1/zaaktypen/1",
        "https://zaken.example.nl/zaken/api/v1/statussen?zaak=x",
    ],
)
def test_urls_under_a_configured_base_are_allowed(url: str) -> None:
    assert client().api_for(url).client_id == "baken"


@pytest.mark.parametrize(
    "url",
    [
        f"http://zaken.example.nl/zaken/api/v1/zaken/{UUID}",  # another scheme
        f"https://zaken.example.nl:8443/zaken/api/v1/zaken/{UUID}",  # another port
        f"https://zaken.example.nl.evil.example/zaken/api/v1/zaken/{UUID}",
        f"https://evil.example/zaken/api/v1/zaken/{UUID}",
        f"https://zaken.example.nl/zaken/api/v10/zaken/{UUID}",  # a sibling path
        f"https://zaken.example.nl/zaken/api/v1/../../admin/{UUID}",
        f"https://zaken.example.nl/zaken/api/v1/%2E%2E/%2e%2e/admin/{UUID}",
        f"https://user@zaken.example.nl/zaken/api/v1/zaken/{UUID}",
        f"https://zaken.example.nl/zaken/api/v1/zaken/{UUID}#x",
        "https://zaken.example.nl:99999/zaken/api/v1/",
        "zaken/api/v1/zaken",
    ],
)
def test_urls_elsewhere_are_not_allowed(url: str) -> None:
    with pytest.raises(ZgwUrlNotAllowedError):
        client().api_for(url)


def test_a_url_under_an_api_that_is_not_a_zaak_is_refused_as_a_zaak() -> None:
    with pytest.raises(ZgwUrlNotAllowedError, match="not_a_zaak_url"):
        client().snapshot("https://zaken.example.nl/zaken/api/v1/statussen/1")
