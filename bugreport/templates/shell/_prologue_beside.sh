#!/usr/bin/env bash
ARCHIVE_FILE='tiny.zip'  # set by report-bug
ARRAY='a'  # set by report-bug
EXPECTED='0, 1, 2, 3'  # set by report-bug
path="$(cd "$(dirname "$0")" && pwd)/$ARCHIVE_FILE"  # the archive, attached beside this script
