#!/usr/bin/env bash
ARCHIVE_URL=''  # set by report-bug
ARCHIVE_SHA256=''  # set by report-bug
ARCHIVE_FILE='tiny.zip'  # set by report-bug
ARRAY='a'  # set by report-bug
EXPECTED='0, 1, 2, 3'  # set by report-bug
path="$(cd "$(dirname "$0")" && pwd)/$ARCHIVE_FILE"
[ -f "$path" ] || curl -fsSL -o "$path" "$ARCHIVE_URL"  # the archive as its project publishes it, downloaded once
echo "$ARCHIVE_SHA256  $path" | sha256sum --check --quiet || exit 2
