"""The errors kube-inspect raises, each carrying the exit code the CLI ends with."""

from __future__ import annotations

# Exit codes, one table for every command (documented in the README and in --help).
EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_PARTIAL = 4
EXIT_OUTPUT = 5
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C

EXIT_CODES_HELP = """\b
Exit codes:
  0   success
  1   checks failed (check only; wins over 4)
  2   usage, kubeconfig, --expect or --from file error
  3   cannot reach or authenticate to the cluster (of several: to any), or it keeps failing
  4   partial result: some resources were forbidden, or one of several clusters failed
  5   cannot write output: stdout closed, full or gone (a failure keeps its code)
  70  internal error (a bug: please report it)
  130 interrupted (Ctrl-C)"""


class KubeInspectError(Exception):
    """Base of every error kube-inspect reports to the user as one line."""

    exit_code = EXIT_INTERNAL


class ConfigError(KubeInspectError):
    """The kubeconfig is missing, malformed, or names no such context."""

    exit_code = EXIT_USAGE


class UsageError(KubeInspectError):
    """A flag or argument has a value kube-inspect cannot use."""

    exit_code = EXIT_USAGE


class ClusterUnreachable(KubeInspectError):
    """The API server did not answer, answered too slowly, or failed TLS."""

    exit_code = EXIT_UNREACHABLE


class Unauthorized(KubeInspectError):
    """The API server refused the credentials (HTTP 401)."""

    exit_code = EXIT_UNREACHABLE


class Forbidden(KubeInspectError):
    """The API server refused a request the user is not allowed to make (HTTP 403)."""

    exit_code = EXIT_PARTIAL


class ApiError(KubeInspectError):
    """The API server answered a read with an error kube-inspect cannot work around.

    ``status`` is the HTTP status (None when unknown) and ``retry_after`` the seconds the
    server asked to wait (its Retry-After header), so the client can decide to retry.
    ``selectors`` are the selection's selectors the refused request carried, as
    (Selection field, value) pairs, the likeliest to be refused first (set by read/ from
    its plan): the CLI names that flag on a 400 without reading the message.
    """

    exit_code = EXIT_UNREACHABLE

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.selectors: tuple[tuple[str, str], ...] = ()


class Gone(ApiError):
    """A LIST's continue token expired (HTTP 410) and restarting the list did not help."""


class ExpectationError(KubeInspectError):
    """An ``--expect`` file cannot be read or does not say what it should."""

    exit_code = EXIT_USAGE


class SnapshotError(KubeInspectError):
    """A ``--from`` file is not a snapshot or a kubectl List, is cut short, or is too new."""

    exit_code = EXIT_USAGE


class NotFound(ApiError):
    """The API server has no such object or API (HTTP 404)."""


class ReadOnlyViolation(KubeInspectError):
    """A request other than get, list or watch was about to be sent; it never is."""

    exit_code = EXIT_INTERNAL
