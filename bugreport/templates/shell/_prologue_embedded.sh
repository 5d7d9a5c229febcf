#!/usr/bin/env bash
ARCHIVE_B64=''  # set by report-bug
ARRAY='a'  # set by report-bug
EXPECTED='0, 1, 2, 3'  # set by report-bug
path="$(mktemp -d)/tiny.zip"  # the archive, from the base64 above
printf '%s' "$ARCHIVE_B64" | base64 -d > "$path"
