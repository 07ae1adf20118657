"""``kube-inspect mcp``: the views as tools of a Model Context Protocol server, over stdio.

An AI assistant (Claude Desktop, VS Code, any MCP client) starts ``kube-inspect mcp`` and
calls its tools. Each tool runs the kube-inspect command it names, as a child process
with the same flags: the same read path, the same read-only gate, the same exit codes
and partial results. The server's own stdout is the protocol's channel, so no view ever
writes to it. The ``mcp`` SDK is an optional extra (``pip install 'kube-inspect[mcp]'``):
the CLI's start-up does not load it.
"""
