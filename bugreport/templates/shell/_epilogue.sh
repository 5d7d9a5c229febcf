echo "expected: $ARRAY = $EXPECTED"
errors="$(mktemp)"
if ! actual=$(read_values "$path" 2> "$errors"); then
  echo "actual:   $(cat "$errors")"
  echo "outcome: error"
  exit 1
fi
echo "actual:   $ARRAY = $actual"
if [ "$(echo "$actual" | tr -d ' \n')" = "$(echo "$EXPECTED" | tr -d ' \n')" ]; then
  echo "outcome: pass"
else
  echo "outcome: wrong-data"
fi
