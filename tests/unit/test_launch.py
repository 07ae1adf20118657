"""The entry point: a Ctrl-C that lands around the CLI's own handling exits 130 quietly."""

from __future__ import annotations

import pytest

import kube_inspect.cli
from kube_inspect import launch


def test_a_ctrl_c_outside_the_clis_handling_is_exit_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # as when Ctrl-C lands while main() checks the standard streams, before a command runs
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(kube_inspect.cli, "main", interrupted)
    with pytest.raises(SystemExit) as exited:
        launch.main()
    assert exited.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_the_clis_own_exit_passes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    def exits() -> None:
        raise SystemExit(4)

    monkeypatch.setattr(kube_inspect.cli, "main", exits)
    with pytest.raises(SystemExit) as exited:
        launch.main()
    assert exited.value.code == 4
