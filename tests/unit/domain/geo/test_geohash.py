"""Geohash: encoding agrees with the standard everywhere, and cells, their bounds and their children fit together."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.geo.coverings import COARSE, FINE
from chalicelib.domain.geo.geohash import cell_bounds, children, encode
from chalicelib.domain.reference import Point
from tests.unit.domain.geo.places import FAST, UTRECHT, points_in_province


def _reference_geohash(lat: float, lon: float, precision: int) -> str:
    """The textbook algorithm, written independently: halve the ranges, alternate axes, five bits a character."""
    alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    result, value, bit_count, use_lon = "", 0, 0, True
    while len(result) < precision:
        span, coordinate = (lon_range, lon) if use_lon else (lat_range, lat)
        middle = (span[0] + span[1]) / 2
        if coordinate >= middle:
            value, span[0] = value * 2 + 1, middle
        else:
            value, span[1] = value * 2, middle
        use_lon, bit_count = not use_lon, bit_count + 1
        if bit_count == 5:
            result, value, bit_count = result + alphabet[value], 0, 0
    return result


def test_the_published_geohash_example_encodes_as_published():
    assert encode(Point(lat=57.64911, lon=10.40744), 11) == "u4pruydqqvj"


def test_the_centre_of_utrecht_lies_in_geohash_u178():
    assert encode(UTRECHT, 7).startswith("u178")
    assert encode(UTRECHT, 7) == _reference_geohash(UTRECHT.lat, UTRECHT.lon, 7)


@given(lat=st.floats(-90, 90, exclude_max=True), lon=st.floats(-180, 180, exclude_max=True), precision=st.integers(1, 12))
@FAST
def test_encoding_agrees_with_an_independent_implementation_everywhere(lat, lon, precision):
    assert encode(Point(lat=lat, lon=lon), precision) == _reference_geohash(lat, lon, precision)


@given(point=points_in_province, precision=st.integers(1, 9))
@FAST
def test_a_cell_contains_the_points_encoded_into_it(point, precision):
    south, west, north, east = cell_bounds(encode(point, precision))

    assert south <= point.lat <= north
    assert west <= point.lon <= east


def test_a_longer_geohash_lies_inside_its_prefix():
    assert encode(UTRECHT, FINE)[:COARSE] == encode(UTRECHT, COARSE)


@pytest.mark.parametrize("parent", ["u178k", "u178kd"])
def test_the_32_children_of_a_cell_tile_it(parent):
    south, west, north, east = cell_bounds(parent)
    kids = children(parent)
    boxes = [cell_bounds(kid) for kid in kids]

    assert len(set(kids)) == 32
    assert all(kid.startswith(parent) and len(kid) == len(parent) + 1 for kid in kids)
    assert all(south <= s < n <= north and west <= w < e <= east for s, w, n, e in boxes)
    assert sum((n - s) * (e - w) for s, w, n, e in boxes) == pytest.approx((north - south) * (east - west))
    for index, (s1, w1, n1, e1) in enumerate(boxes):
        for s2, w2, n2, e2 in boxes[index + 1 :]:
            assert min(n1, n2) <= max(s1, s2) or min(e1, e2) <= max(w1, w2), "children overlap"


def test_a_child_is_the_cell_its_middle_encodes_to():
    for kid in children("u178kd"):
        s, w, n, e = cell_bounds(kid)
        assert encode(Point(lat=(s + n) / 2, lon=(w + e) / 2), 7) == kid


@pytest.mark.parametrize("geohash", ["", "u178a", "U178"])
def test_a_string_that_is_not_a_geohash_is_refused(geohash):
    with pytest.raises(ValueError, match="not a geohash"):
        cell_bounds(geohash)
