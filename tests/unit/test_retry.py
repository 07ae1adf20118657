from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from kube_inspect.errors import ApiError, Forbidden, Gone
from kube_inspect.kube.client import KubeClient
from kube_inspect.kube.retry import RetryPolicy, parse_retry_after, retry_delay
from tests.unit.test_cli import kubeconfig

POLICY = RetryPolicy(retries=4, base_delay=0.5, max_delay=8.0, max_retry_after=30.0)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, None])
def test_errors_that_will_not_change_are_not_retried(status: int | None) -> None:
    assert retry_delay(POLICY, 1, status, None, lambda: 0.5) is None


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_retried_a_bounded_number_of_times(status: int) -> None:
    delays = [retry_delay(POLICY, attempt, status, None, lambda: 0.0) for attempt in range(1, 7)]
    assert delays[:4] == [0.25, 0.5, 1.0, 2.0]  # half of the doubling backoff, at no jitter
    assert delays[4:] == [None, None]


def test_jitter_stays_within_half_and_all_of_the_backoff() -> None:
    low = retry_delay(POLICY, 3, 503, None, lambda: 0.0)
    high = retry_delay(POLICY, 3, 503, None, lambda: 0.999)
    assert low == 1.0 and high is not None and 1.99 < high < 2.0


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(retries=10, base_delay=1.0, max_delay=3.0)
    assert retry_delay(policy, 9, 503, None, lambda: 0.999) == pytest.approx(3.0, abs=0.01)


def test_retry_after_is_honoured_with_a_little_jitter() -> None:
    assert retry_delay(POLICY, 1, 429, 2.0, lambda: 0.0) == 2.0
    high = retry_delay(POLICY, 1, 429, 2.0, lambda: 0.999)
    assert high is not None and 2.0 < high < 2.2


def test_retry_after_longer_than_allowed_is_not_waited_for() -> None:
    assert retry_delay(POLICY, 1, 429, 31.0, lambda: 0.0) is None


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=5), usegmt=True), now) == 5.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.fixture
def client(tmp_path: Path) -> KubeClient:
    config = kubeconfig(tmp_path / "config", {"a": "https://127.0.0.1:1"}, "a")
    return KubeClient.from_kubeconfig(str(config), None, 1.0)


def failing_then(errors: list[Exception], answer: dict[str, Any]) -> Any:
    calls: list[str] = []

    def get_once(
        path: str, query: Any = None, decode: Any = None, accept: str = ""
    ) -> dict[str, Any]:
        calls.append(path)
        if errors:
            raise errors.pop(0)
        return answer

    get_once.calls = calls  # type: ignore[attr-defined]
    return get_once


def test_client_retries_until_the_server_answers(
    client: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[Exception] = [ApiError("busy", 429, 1.5), ApiError("down", 503)]
    get_once = failing_then(errors, {"gitVersion": "v1"})
    monkeypatch.setattr(client, "_get_once", get_once)
    slept: list[float] = []
    client.sleep = slept.append
    assert client.version() == "v1"
    assert len(get_once.calls) == 3
    assert slept[0] >= 1.5 and 0.5 <= slept[1] <= 1.0  # second retry: 0.5 s doubled, jittered


def test_client_gives_up_after_the_bounded_retries(
    client: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_once = failing_then([ApiError("down", 500) for _ in range(10)], {})
    monkeypatch.setattr(client, "_get_once", get_once)
    client.sleep = lambda seconds: None
    with pytest.raises(ApiError, match=r"^down and kept doing so after 4 retries: check the"):
        client.version()
    assert len(get_once.calls) == 1 + client.retry_policy.retries


def test_client_does_not_wait_out_a_long_retry_after(
    client: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_once = failing_then([ApiError("busy", 429, 600.0)], {})
    monkeypatch.setattr(client, "_get_once", get_once)
    with pytest.raises(ApiError, match=r"^busy and asks to wait 600s, longer than kube-inspect"):
        client.version()
    assert len(get_once.calls) == 1


def test_client_does_not_retry_a_forbidden_read(
    client: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_once = failing_then([Forbidden("no")], {})
    monkeypatch.setattr(client, "_get_once", get_once)
    with pytest.raises(Forbidden):
        client.version()
    assert len(get_once.calls) == 1


def pages_with_gone(gone_times: int) -> Any:
    """Two pages; the continue request answers 410 the first ``gone_times`` times."""
    state = {"gone": gone_times}

    def get_once(
        path: str, query: Any = None, decode: Any = None, accept: str = ""
    ) -> dict[str, Any]:
        if dict(query or []).get("continue"):
            if state["gone"]:
                state["gone"] -= 1
                raise ApiError("expired", 410)
            return {"items": [{"n": 2}], "metadata": {}}
        return {"items": [{"n": 1}], "metadata": {"continue": "token"}}

    return get_once


def test_list_restarts_once_when_its_continue_token_expires(
    client: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "_get_once", pages_with_gone(1))
    assert client.list_all("/api/v1/pods") == [{"n": 1}, {"n": 2}]  # no duplicate of page 1


def test_list_fails_clearly_when_it_expires_twice(
    client: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "_get_once", pages_with_gone(2))
    with pytest.raises(Gone, match="expired twice while being read in pages"):
        client.list_all("/api/v1/pods")
