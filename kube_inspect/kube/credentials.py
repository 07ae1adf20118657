"""Who kube-inspect is to the API server: a token, a password, a certificate, a plugin's.

A token, a token file, a username and password, a client certificate, or what an exec
credential plugin (client.authentication.k8s.io v1 or v1beta1) hands back, in the order
the kubernetes package reads them (kube-inspect read every kubeconfig through it
before): a token (or tokenFile), else the exec plugin, else username and password; a
client certificate goes with any of them, the plugin's replacing the user's own. A token
file is read again after a minute (as client-go does: it may be rotated); a plugin's
answer is kept, within the process, until its expirationTimestamp.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kube_inspect.errors import ConfigError, Unauthorized
from kube_inspect.kube.connection import Connection, ExecPlugin
from kube_inspect.kube.kubeconfig import first_line

if TYPE_CHECKING:  # subprocess is imported when a plugin runs: most contexts have none
    import subprocess

TOKEN_FILE_PERIOD = 60.0  # seconds a token file's content is trusted, as in client-go


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A client certificate and its key, each as a file or as PEM bytes."""

    cert_file: str | None = None
    key_file: str | None = None
    cert_data: bytes | None = field(default=None, repr=False)
    key_data: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class PluginAnswer:
    """What an exec plugin answered: a token or a certificate, valid until ``expiry``."""

    token: str | None
    certificate: ClientCertificate | None
    expiry: float | None  # seconds since the epoch; None: never expires


class PluginError(Exception):
    """An exec credential plugin failed; the message says how, in the plugin's words."""


# Answers of exec plugins, kept for the life of the process (a fleet reads many contexts
# that often share one plugin): the same plugin is not run twice while its answer holds.
_ANSWERS: dict[ExecPlugin, PluginAnswer] = {}
_ANSWERS_LOCK = threading.Lock()


class Credentials:
    """The credentials of one Connection, refreshed when they expire."""

    def __init__(
        self,
        connection: Connection,
        plugin_timeout: float | None,
        now: Callable[[], float] = time.time,
    ) -> None:
        """Read the credentials now: a failing plugin or an unreadable token file raises here.

        Raises Unauthorized when the exec plugin fails or does not answer within
        ``plugin_timeout`` seconds (None: no limit); ConfigError when the token file
        cannot be read.
        """
        self._connection = connection
        self._plugin_timeout = plugin_timeout
        self._now = now
        self._lock = threading.Lock()
        self._token_read_at = 0.0
        self._token: str | None = connection.token
        self._answer: PluginAnswer | None = None
        self._from_file = self._token is None and connection.token_file is not None
        if self._from_file:
            self._token = self._read_token_file(initial=True)
            self._from_file = self._token is not None  # an empty file: as if there were none
        if self._token is None and connection.exec_plugin is not None:
            self._answer = self._plugin_answer()

    def authorization(self) -> str | None:
        """Return the Authorization header's value, or None to send none."""
        c = self._connection
        with self._lock:
            if self._from_file and self._now() - self._token_read_at >= TOKEN_FILE_PERIOD:
                self._token = self._read_token_file(initial=False) or self._token
            if self._token is not None:
                return f"Bearer {self._token}"
            if self._answer is not None:
                answer = self._current_answer()
                return f"Bearer {answer.token}" if answer.token else None
        if c.username is not None and c.password is not None:
            basic = base64.b64encode(f"{c.username}:{c.password}".encode()).decode()
            return f"Basic {basic}"
        return None

    def client_certificate(self) -> ClientCertificate | None:
        """Return the client certificate to present, or None for none."""
        c = self._connection
        if self._answer is not None:
            with self._lock:
                answer = self._current_answer()
            if answer.certificate is not None:
                return answer.certificate
        if c.cert_file or c.cert_data:
            return ClientCertificate(c.cert_file, c.key_file, c.cert_data, c.key_data)
        return None

    def _current_answer(self) -> PluginAnswer:
        """Return the plugin's answer, asking again once it has expired (lock held)."""
        if self._answer is None or _expired(self._answer, self._now()):
            self._answer = self._plugin_answer()
        return self._answer

    def _plugin_answer(self) -> PluginAnswer:
        plugin = self._connection.exec_plugin
        assert plugin is not None
        with _ANSWERS_LOCK:
            known = _ANSWERS.get(plugin)
            if known is not None and not _expired(known, self._now()):
                return known
            try:
                answer = run_plugin(plugin, self._plugin_timeout)
            except PluginError as e:
                raise Unauthorized(
                    f"the credential plugin of context {self._connection.context!r} failed "
                    f"({first_line(e)}): log in again, or fix users[].user.exec in the kubeconfig"
                ) from e
            _ANSWERS[plugin] = answer
            return answer

    def _read_token_file(self, initial: bool) -> str | None:
        path = self._connection.token_file
        assert path is not None
        try:
            with open(path, encoding="utf-8") as f:
                token = f.read().strip()
        except OSError as e:
            if not initial:
                return None  # keep the token read before: the file may be being rotated
            raise ConfigError(
                f"cannot read the tokenFile of context {self._connection.context!r} "
                f"({path}): {e.strerror or e}"
            ) from e
        self._token_read_at = self._now()
        return token or None


def _expired(answer: PluginAnswer, now: float) -> bool:
    return answer.expiry is not None and now >= answer.expiry


def interactive(plugin: ExecPlugin) -> bool:
    """Return whether the plugin may talk to the user, as kubectl decides it (interactiveMode).

    Raises PluginError when the plugin must be interactive but stdin is no terminal.
    """
    if plugin.interactive_mode == "Never":
        return False
    terminal = sys.stdin is not None and sys.stdin.isatty()
    if plugin.interactive_mode == "Always" and not terminal:
        raise PluginError(
            "exec plugin cannot support interactive mode: standard input is not a terminal"
        )
    return terminal


def run_plugin(plugin: ExecPlugin, timeout: float | None) -> PluginAnswer:
    """Run an exec credential plugin and return its answer; PluginError when it fails.

    The plugin gets ``timeout`` seconds (None: no limit), then is killed. Not interactive,
    its stdin is empty and its stderr is kept for the error message; interactive, both
    are the user's terminal.
    """
    talk = interactive(plugin)
    info: dict[str, object] = {"interactive": talk}
    if plugin.cluster is not None:
        info["cluster"] = json.loads(plugin.cluster)
    env = {
        **os.environ,
        **dict(plugin.env),
        "KUBERNETES_EXEC_INFO": json.dumps(
            {"apiVersion": plugin.api_version, "kind": "ExecCredential", "spec": info}
        ),
    }
    import subprocess

    try:
        process = subprocess.Popen(
            [plugin.command, *plugin.args],
            stdin=None if talk else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=None if talk else subprocess.PIPE,
            cwd=plugin.directory or None,
            env=env,
            text=True,
        )
    except OSError as e:
        hint = first_line(Exception(plugin.install_hint)) if plugin.install_hint.strip() else ""
        cause = "not found" if isinstance(e, FileNotFoundError) else f"cannot run ({e.strerror})"
        raise PluginError(
            f"exec: executable {plugin.command} {cause}" + (f"; {hint}" if hint else "")
        ) from e
    stdout, stderr = _answered(process, timeout)
    if process.returncode != 0:
        text = (stderr or "").strip()
        raise PluginError(
            f"exec: process returned {process.returncode}" + (f". {text}" if text else "")
        )
    return parse_exec_credential(stdout, plugin.api_version)


def _answered(process: subprocess.Popen[str], timeout: float | None) -> tuple[str, str | None]:
    """Return the plugin's stdout and stderr; kill it and raise if it takes over ``timeout``."""
    import subprocess

    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PluginError(stop_late_plugin(process, timeout)) from None


def stop_late_plugin(process: subprocess.Popen[str], seconds: float | None) -> str:
    """Kill a plugin that did not answer in time, close its pipes; return what to say.

    Both ways of loading a kubeconfig (this module's and the kubernetes package's,
    through kube/exec_plugin_timeout.py) stop a late plugin here.
    """
    import subprocess

    process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=1)
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
    return f"exec: the plugin did not answer within {seconds or 0:g}s (--request-timeout)"


def parse_exec_credential(stdout: str, api_version: str) -> PluginAnswer:
    """Return the answer an ExecCredential (a plugin's output) holds; PluginError if malformed."""
    try:
        data = json.loads(stdout)
    except ValueError as e:
        raise PluginError(f"exec: failed to decode process output: {e}") from e
    if not isinstance(data, dict):
        raise PluginError("exec: failed to decode process output: not an object")
    for key in ("apiVersion", "kind", "status"):
        if key not in data:
            raise PluginError(f"exec: malformed response. missing key '{key}'")
    if data["apiVersion"] != api_version:
        raise PluginError(
            f"exec: plugin api version {data['apiVersion']} does not match {api_version}"
        )
    status = data["status"] if isinstance(data["status"], dict) else {}
    expiry = _expiry(status.get("expirationTimestamp"))
    if status.get("token"):
        return PluginAnswer(str(status["token"]), None, expiry)
    if status.get("clientCertificateData"):
        if not status.get("clientKeyData"):
            raise PluginError("exec: missing clientKeyData field in plugin output")
        certificate = ClientCertificate(
            cert_data=str(status["clientCertificateData"]).encode(),
            key_data=str(status["clientKeyData"]).encode(),
        )
        return PluginAnswer(None, certificate, expiry)
    raise PluginError("exec: missing token or clientCertificateData field in plugin output")


def _expiry(value: object) -> float | None:
    """Return an RFC 3339 time as seconds since the epoch (None when absent)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError as e:
        raise PluginError(f"exec: invalid expirationTimestamp {value!r}") from e
