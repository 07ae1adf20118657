#!/usr/bin/env bash
# The paged wire floor: LIST nodes and pods in pages of 500 with curl, bodies to a RAM
# file, the continue token cut from the head of each page. Not as User-Agent curl: the
# API server would pretty-print the JSON for it.
# Usage: curl_pages.sh SERVER CA CERT KEY
set -euo pipefail
server=$1 ca=$2 cert=$3 key=$4
page=$(mktemp -p /dev/shm curl-page.XXXXXX)
trap 'rm -f "$page"' EXIT
for path in /api/v1/nodes /api/v1/pods; do
  token=""
  while :; do
    curl -sSf --cacert "$ca" --cert "$cert" --key "$key" -H 'Accept: application/json' -A kube-inspect-bench \
      "$server$path?limit=500&continue=$token" -o "$page"
    token=$(head -c 1000 "$page" | grep -o '"continue":"[^"]*"' | cut -d'"' -f4 || true)
    [ -n "$token" ] || break
  done
done
