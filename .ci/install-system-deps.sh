#!/usr/bin/env bash
# What the picture tests need beyond PyPI, installed only when missing:
#   chromium  - the headless browser the HTML page is tested in (Playwright drives it)
#   graphviz  - `dot`, which must render what `kube-inspect tree -o dot` prints
#   npm       - to fetch mermaid's browser bundle from the npm registry, which must
#               render what `kube-inspect tree -o mermaid` prints (cached below)
#   postgresql - the server the journal's PostgreSQL tests start and stop themselves
#               (tests/clusters/postgres.py: initdb, own data directory and port)
# and what the kind backend (real kubelets) needs, as root, where no Docker engine answers:
#   docker.io - dockerd and the docker client: the test run starts a dockerd of its own
#               (tests/clusters/docker_engine.py); the user's Docker config is left alone
#   debootstrap, jq, gcc - the kind node image's Debian base, its containerd spec, pause
set -euo pipefail
cd "$(dirname "$0")/.."
mermaid_version="$(cat tests/fixtures/browser/mermaid.version)"
cache="${KUBE_INSPECT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-inspect}"
mermaid_js="$cache/mermaid-$mermaid_version/mermaid.min.js"

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
# any Chromium will do: Debian's, Ubuntu's, or the Chrome GitHub's runners ship
found_chromium=""
for browser in "${KUBE_INSPECT_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser \
        /usr/bin/google-chrome; do
    [ -n "$browser" ] && [ -x "$browser" ] && found_chromium="$browser" && break
done
[ -n "$found_chromium" ] || missing+=(chromium)
[ -x "${KUBE_INSPECT_PG_BINDIR:-/usr/lib/postgresql/15/bin}/initdb" ] \
    || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -f "$mermaid_js" ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "$(id -u)" -eq 0 ] || docker info >/dev/null 2>&1; then
    if ! docker info >/dev/null 2>&1; then
        command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    fi
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    command -v jq >/dev/null 2>&1 || missing+=(jq)
    command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
fi

fetch_mermaid() {
    [ -f "$mermaid_js" ] && return 0
    echo "fetching mermaid $mermaid_version's browser bundle with npm pack" >&2
    local work
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent "mermaid@$mermaid_version" >/dev/null \
        && tar -xzf "mermaid-$mermaid_version.tgz" package/dist/mermaid.min.js)
    mkdir -p "$(dirname "$mermaid_js")"
    mv "$work/package/dist/mermaid.min.js" "$mermaid_js"
    rm -rf "$work"
}

if [ ${#missing[@]} -eq 0 ]; then
    fetch_mermaid
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install ${missing[*]} (Debian/Ubuntu package names) and run again" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "installing ${missing[*]} with apt-get" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
fetch_mermaid
