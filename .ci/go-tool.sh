#!/usr/bin/env bash
# go-tool.sh NAME PACKAGE@VERSION: build a Go command from its module (go install), once,
# into a cache keyed by its version, and print the binary's path. Like build.sh, for the
# tools `make lint` runs: actionlint, krew's validate-krew-manifest.
set -euo pipefail
name=$1 target=$2
cache=${KUBE_INSPECT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-inspect}
dir="$cache/bin/tools/$name-${target##*@}"
if [ ! -x "$dir/$name" ]; then
  command -v go >/dev/null || { echo "go-tool.sh: Go is needed to build $name" >&2; exit 1; }
  echo "go-tool.sh: building $name ($target)" >&2
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  (cd "$tmp" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOBIN="$tmp" \
    go install -trimpath -ldflags "-s -w" "$target")
  mv "$tmp/$(basename "${target%@*}")" "$dir/$name"
  rm -rf "$tmp"
fi
echo "$dir/$name"
