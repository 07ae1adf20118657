"""The fixed words each command's options take: a TAB on them loads no command.

Completing ``kube-inspect tree -o <TAB>`` through click loads the command's module, and
with it the client, the builders and the renderers (about 0.2 s, several times
``kubectl --help``). The words of the options whose values are a fixed list (outputs,
``--sort`` keys, rule names, tabulate's formats...) are written here instead, and the
completion classes (kube_inspect.cli) answer from this table before asking click.
A unit test checks the table against the loaded commands, so it cannot drift from them.
"""

from __future__ import annotations

from click.shell_completion import CompletionItem

from kube_inspect.render.table import TABLE_FORMATS  # a tuple: tabulate is not imported

WIRES = ("auto", "json", "protobuf")
SORT_KEYS = ("name", "cpu", "memory", "restarts", "age", "devices")
COLORS = ("auto", "always", "never")
RULES = (
    "container-restarts",
    "container-state",
    "node-pressure",
    "node-ready",
    "pod-claims",
    "pod-pending",
    "workload-ready",
)
LIST_OUTPUTS = ("table", "wide", "json", "yaml", "csv")
TREE_OUTPUTS = ("tree", "wide", "json", "yaml", "table", "csv", "html", "dot", "mermaid")

_SELECTION = {"--sort": SORT_KEYS, "--wire": WIRES}
_LIST = {
    **_SELECTION,
    "-o": LIST_OUTPUTS,
    "--output": LIST_OUTPUTS,
    "--fmt": TABLE_FORMATS,
    "--color": COLORS,
}

# command -> option -> the words it takes, in the order click offers them
FIXED_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "check": {
        **_SELECTION,
        "-o": ("text", "json"),
        "--output": ("text", "json"),
        "--rule": RULES,
        "--skip-rule": RULES,
    },
    "containers": _LIST,
    "history": {"-o": ("text", "json"), "--output": ("text", "json")},
    "diff": {**_SELECTION, "-o": ("tree", "json", "yaml"), "--output": ("tree", "json", "yaml")},
    "explain": _SELECTION,
    "nodes": _LIST,
    "pods": _LIST,
    "record": _SELECTION,
    "snapshot": _SELECTION,
    "tree": {
        **_LIST,
        "-o": TREE_OUTPUTS,
        "--output": TREE_OUTPUTS,
        "--depth": ("node", "pod", "container"),
    },
}
GROUP_FLAGS = frozenset({"--debug"})  # the group's options that come before a command


def fixed_completion(args: list[str], incomplete: str) -> list[CompletionItem] | None:
    """Return the completions of a fixed-word option's value, or None to ask click.

    ``args`` are the complete words after the program's name, ``incomplete`` the word
    under the cursor, as click's ShellComplete.get_completions takes them. The value of
    an option is recognised as click recognises it (the last complete word is the
    option, or ``--option=`` is being typed); anything else is left to click.
    """
    words = list(args)
    while words and words[0] in GROUP_FLAGS:
        words.pop(0)
    if not words or words[0] not in FIXED_WORDS or "--" in words:
        return None
    options, rest = FIXED_WORDS[words[0]], words[1:]
    if incomplete == "=":
        incomplete = ""
    elif "=" in incomplete and incomplete.startswith("-"):
        name, _, incomplete = incomplete.partition("=")
        rest.append(name)
    if incomplete.startswith("-") or not rest or rest[-1] not in options:
        return None
    return [CompletionItem(w) for w in options[rest[-1]] if w.startswith(incomplete)]
