"""The bench's link profiles: what each asks toxiproxy for."""

from __future__ import annotations

import pytest

from bench import links


def test_round_trip_is_split_over_both_directions() -> None:
    profile = links.Profile("x", "x", 40, 100)
    latency = [t for t in links.toxics(profile) if t["type"] == "latency"]
    assert {t["stream"] for t in latency} == {"upstream", "downstream"}
    assert sum(t["attributes"]["latency"] for t in latency) == 40


def test_bandwidth_is_in_kilobytes_a_second_both_ways() -> None:
    profile = links.Profile("x", "x", 100, 20)
    bandwidth = [t for t in links.toxics(profile) if t["type"] == "bandwidth"]
    assert [t["attributes"]["rate"] for t in bandwidth] == [2500, 2500]  # 20e6 / 8 / 1000
    assert {t["stream"] for t in bandwidth} == {"upstream", "downstream"}


def test_latency_comes_before_bandwidth_on_each_stream() -> None:
    # the latency toxic delays from the chunk's arrival: after a queue it would add nothing
    toxics = links.toxics(links.Profile("x", "x", 10, 1000))
    for stream in ("upstream", "downstream"):
        kinds = [t["type"] for t in toxics if t["stream"] == stream]
        assert kinds == ["latency", "bandwidth"]


def test_loopback_goes_through_no_proxy() -> None:
    (loopback,) = links.parse_profiles("loopback")
    assert not loopback.proxied
    assert links.toxics(loopback) == []


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown 5ms"):
        links.parse_profiles("loopback,5ms")
