"""Which part of the cluster a view shows: one typed selection for every command."""

from __future__ import annotations

from dataclasses import dataclass, replace

from kube_inspect.interpret.arrange import SortKey


@dataclass(frozen=True, slots=True)
class Selection:
    """What to read and show: the same flags mean the same thing in every view.

    Filters go to the API server where it can apply them (namespace, label and field
    selectors, nodes by name, node labels); ``problems`` and ``sort`` shape the model after.
    The ``with_*`` switches say which extras the view needs read.
    """

    namespace: str | None = None
    label_selector: str | None = None
    field_selector: str | None = None
    nodes: tuple[str, ...] = ()
    node_selector: str | None = None
    problems: bool = False
    sort: SortKey = "name"
    with_nodes: bool = True
    with_usage: bool = True
    with_owners: bool = True
    with_workloads: bool = False
    with_volumes: bool = False  # volumes and claims (one LIST): wide/json/yaml/html, explain
    # keep the nodes that hold no selected pod (diff: a node is not added because a pod came)
    every_node: bool = False
    with_events: bool = False  # --events and explain show Warning events; pending pods read them
    # pods' claims judged though volumes are not shown (check's pod-claims rule): one LIST
    with_claims: bool = False
    # several namespaces (-n a,b): one LIST each; then ``namespace`` is None
    namespaces: tuple[str, ...] = ()
    # DRA devices shown (pools per node, pods' claims): their LISTs sent with the rest;
    # else they are read only when a pending pod has claims (why it waits)
    with_devices: bool = False

    def __post_init__(self) -> None:
        """Refuse a selection naming one namespace and several at once."""
        if self.namespace is not None and self.namespaces:
            raise ValueError("a selection names one namespace or several, not both")

    @property
    def scopes(self) -> tuple[str | None, ...]:
        """Return the namespaces each namespaced LIST is sent to (None: all namespaces)."""
        return self.namespaces or (self.namespace,)

    # neither -n nor -A: read the kubeconfig context's namespace, if it names one, as
    # kubectl does (``in_context_namespace``); else every namespace
    context_namespace: bool = False

    @property
    def reads_claims(self) -> bool:
        """Return True when pods' volumes and the claims they name are read (one more LIST).

        They are where volumes are shown, where claims are judged (check) and with
        ``problems``: a Pending, Lost or missing claim makes its pod a problem.
        """
        return self.with_volumes or self.with_claims or self.problems

    @property
    def reads_devices(self) -> bool:
        """Return True when the DRA reads go out with the rest (else only for pending pods).

        They do where devices are shown, where claims are judged (check) and with
        ``problems``: a device gone from its slice makes its pod a problem.
        """
        return self.with_devices or self.with_claims or self.problems

    @property
    def filters_pods(self) -> bool:
        """Return True when only some pods are wanted (then empty nodes are left out)."""
        return bool(self.namespace or self.namespaces or self.label_selector or self.field_selector)

    @property
    def pod_filter(self) -> tuple[str, ...]:
        """Return the flags that keep only some of each node's pods, as the user gave them.

        A node's pod count and requested sums are then the share of those pods only.
        ``--node`` and ``--node-selector`` pick nodes, each with all its pods: not here.
        """
        words = []
        if self.namespace:
            words.append(f"-n {self.namespace}")
        if self.label_selector:
            words.append(f"-l {self.label_selector}")
        if self.field_selector:
            words.append(f"--field-selector {self.field_selector}")
        if self.problems:
            words.append("--problems")
        return tuple(words)


def in_context_namespace(selection: Selection, namespace: str | None) -> Selection:
    """Return the selection as read in a context whose namespace is ``namespace``.

    Without -n or -A, kubectl reads the context's namespace; kube-inspect does too, and
    reads every namespace when the context names none (kubectl would read "default").
    """
    if not selection.context_namespace:
        return selection
    if selection.namespace is not None:  # a command chose one since (explain pod NS/NAME)
        return replace(selection, context_namespace=False)
    return replace(selection, namespace=namespace, context_namespace=False)
