#!/usr/bin/env bash
# stress.sh — the stability check behind `make stress`.
#
# It runs the tests most exposed to timing — the short reliability suite,
# the tests that start real processes (the CLI and the window as children,
# SIGKILL and SIGQUIT, crashing database writers) and the queue, UI and
# end-to-end tests that cancel or pause mid-upload — STRESS_COUNT times each
# under the race detector, and prints how many runs of each passed.
#
#   make stress                     10 runs of each (run it inside the Xvfb +
#                                   D-Bus/gnome-keyring session `make stress` sets up)
#   STRESS_COUNT=20 make stress     20 runs of each
#   STRESS_ONLY=worker make stress  only the units whose name contains "worker"
#   STRESS_MINUTES=90 make stress   start no new round after 90 minutes; the
#                                   table then says how many rounds ran (on 2
#                                   busy cores one round can take 10 minutes)
#
# Every run is a fresh process (`-test.count=1`, as in `make test`), so a
# leak check in TestMain or a hang counts once per run; the test binaries
# are built once. Runs go round-robin over the units, so each sees the
# machine busy and idle alike. In ui and storage only the tests that wait
# on other goroutines, processes or the keyring run (layouts, catalogs and
# goldens are not timing-bound and cost most of a round). The log of every
# failed run is kept under STRESS_LOGS (default: a new folder in /tmp), and
# its random seed is in it (DSTOR_TEST_SEED replays it).
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${STRESS_COUNT:-10}
ONLY=${STRESS_ONLY:-}
MINUTES=${STRESS_MINUTES:-0}
LOGS=${STRESS_LOGS:-$(mktemp -d /tmp/dstor-stress.XXXXXX)}
mkdir -p "$LOGS"
root=$(pwd)

# name | package | test binary flags
units=(
	"reliability (short suite)|./reliability|-test.run=^TestReliability\$"
	"cli (the CLI as child processes)|./cli|"
	"api/worker (queue: cancel, pause, close mid-upload)|./api/worker|"
	"ui (sign-in, sign-out, pickers, hand-over, pause)|./ui|-test.run=SignIn|SignOut|Remembered|Pick|Handoff|Close|Pause|Drop|FilesBefore|Keyring|Live|QueueInUse|AddFiles"
	"storage (crashing writers, locks, keyring)|./storage|-test.run=Crash|Lock|Concurrent|TwoHandles|Secret|FullDisk|GroupCommit|Indexer|SessionBus"
	"api e2e (client against the sandbox)|./api|-test.run=^TestE2E"
)

bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
declare -A bin pass fail failed_tests secs
selected=()
for u in "${units[@]}"; do
	IFS='|' read -r name pkg _ <<<"$u"
	[[ -n "$ONLY" && "$name" != *"$ONLY"* ]] && continue
	selected+=("$u")
	pass[$name]=0 fail[$name]=0 failed_tests[$name]="" secs[$name]=0
	b="$bins/$(echo "$pkg" | tr -c 'a-zA-Z0-9\n' '_').test"
	if [ -z "${bin[$pkg]:-}" ]; then
		echo "== building $pkg"
		"$GO" test -race -c -o "$b" "$pkg" || { echo "stress: cannot build $pkg" >&2; exit 1; }
		bin[$pkg]=$b
	fi
done
[ ${#selected[@]} -gt 0 ] || { echo "stress: no unit matches STRESS_ONLY=$ONLY" >&2; exit 2; }

start=$SECONDS
rounds=0
for ((i = 1; i <= COUNT; i++)); do
	if [ "$MINUTES" -gt 0 ] && [ $((SECONDS - start)) -ge $((MINUTES * 60)) ]; then
		echo "stress: STRESS_MINUTES=$MINUTES reached after $rounds of $COUNT rounds"
		break
	fi
	rounds=$i
	for u in "${selected[@]}"; do
		IFS='|' read -r name pkg flags <<<"$u"
		log="$LOGS/run.log"
		t0=$SECONDS
		# A test binary runs in its package's folder, as under go test.
		(cd "$root/$pkg" && "${bin[$pkg]}" -test.count=1 -test.timeout=30m $flags) >"$log" 2>&1
		rc=$?
		secs[$name]=$((secs[$name] + SECONDS - t0))
		if [ $rc -eq 0 ]; then
			pass[$name]=$((pass[$name] + 1))
			echo "[$i/$COUNT] ok   $name ($((SECONDS - t0)) s)"
		else
			fail[$name]=$((fail[$name] + 1))
			keep="$LOGS/$(echo "$name" | cut -d' ' -f1 | tr '/' '_')-run$i.log"
			mv "$log" "$keep"
			tests=$(grep -oE -- '--- FAIL: [^ ]+' "$keep" | cut -d' ' -f3 | sort -u | tr '\n' ' ')
			grep -q '^panic: test timed out' "$keep" && tests+="(timeout) "
			[ -n "$tests" ] || tests="(exit $rc) "
			failed_tests[$name]+="run $i: ${tests% }; "
			echo "[$i/$COUNT] FAIL $name ($((SECONDS - t0)) s): ${tests% } — log: $keep"
		fi
	done
done
rm -f "$LOGS/run.log"

echo
echo "==================== Stress (make stress, $rounds of STRESS_COUNT=$COUNT rounds, -race) ===================="
printf '%-52s %6s %6s %9s  %s\n' "tests" "passed" "failed" "mean s" "failures"
bad=0
for u in "${selected[@]}"; do
	IFS='|' read -r name _ _ <<<"$u"
	printf '%-52s %6d %6d %9d  %s\n' "$name" "${pass[$name]}" "${fail[$name]}" $((secs[$name] / (rounds > 0 ? rounds : 1))) "${failed_tests[$name]}"
	bad=$((bad + fail[$name]))
done
echo "total $((SECONDS - start)) s on $(nproc) cores; logs of failed runs: $LOGS"
[ $bad -eq 0 ] && [ "$rounds" -gt 0 ]
