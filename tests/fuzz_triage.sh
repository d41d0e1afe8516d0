#!/bin/sh
# tests/fuzz_triage.sh: .ci/fuzz_triage.sh names the right owner for every
# sanitizer log in tests/fuzz_triage/ (the expected owner is the file name's
# suffix: NAME__libhdf5.log, NAME__qdf.log, NAME__unknown.log). A wrong owner
# either fails CI on a third-party libhdf5 bug or, worse, waves a qdf bug through
# as a warning.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fail=0
n=0
for log in "$root"/tests/fuzz_triage/*__*.log; do
    want=${log##*__}
    want=${want%.log}
    got=$(sh "$root/.ci/fuzz_triage.sh" "$log")
    n=$((n + 1))
    if [ "$got" = "$want" ]; then
        echo "ok   $(basename "$log"): $got"
    else
        echo "FAIL $(basename "$log"): got $got, want $want"
        fail=1
    fi
done
[ "$n" -ge 5 ] || { echo "FAIL: only $n fixtures found"; fail=1; }
exit $fail
