#!/usr/bin/env bash
# window-scale.sh — a folder of many small files dropped on the window,
# timed against the CLI uploading the same folder in the same run, for
# `make bench` (which runs it) or on its own.
#
# For each size in WSCALE_SIZES it makes a folder of that many 4 KiB files
# in sub-folders of 1,000 and uploads it twice, in alternating order (CLI
# first in odd runs, the window first in even ones), each from a fresh
# data folder (a fresh machine):
#   - the window: `dstor-uploader --env sandbox FOLDER` under Xvfb (Fyne's
#     OpenGL driver, drawn by Mesa's llvmpipe), which signs in to its
#     built-in sandbox (a server in the same process) and queues the
#     folder, as a drop does. Timed from exec until the history in its data
#     folder (read with sqlite3) holds every file; then every entry must be
#     verified, each file once. CPU (user + system) and peak RSS (VmHWM) of
#     the process, read from /proc before it is asked to quit; the UI
#     thread's and llvmpipe's share of that CPU from each thread's
#     schedstat, and when the folder was listed (every file in the queue).
#   - the CLI: `dstor-uploader upload --concurrency C --json FOLDER` against
#     a sandbox process of its own, fresh for the run; every file must come
#     back done and verified. Wall, CPU and peak RSS of the CLI from
#     /usr/bin/time -v, and the CPU of its sandbox from /proc, so that
#     "client + server" is compared with the window, whose sandbox is in
#     its process.
# Both upload C files at once: the window's default (3, Settings' "Uploads
# at once"). The data folders (fresh each time) and the sandboxes' stores go to a tmpfs
# (/dev/shm) when there is room, for both alike. One line per upload:
#
#   wscale cli N WALL_S CPU_S PEAK_RSS_KIB SERVER_CPU_S
#   wscale window N WALL_S CPU_S PEAK_RSS_KIB UI_CPU_S RASTER_CPU_S LISTED_S
#
# (the window's CPU_S includes its sandbox, UI and llvmpipe threads).
#
#   WSCALE_SIZES="2000 20000 100000"   the sizes (default)
#   WSCALE_RUNS=1                      uploads of each size by each (default 1)
#   WSCALE_BIN=path                    the binary to run (default: built here)
#   WSCALE_PROFILE=dir                 the window runs with --debug-profile
#                                      dir/window-N-RUN (quits on SIGTERM, so
#                                      the profile is written)
#   WSCALE_KEEP=1                      keep the temporary folder
# Needs xvfb-run, sqlite3 and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
SIZES=${WSCALE_SIZES:-2000 20000 100000}
RUNS=${WSCALE_RUNS:-1}
CONCURRENCY=3 # storage.DefaultConcurrency, what the window uses out of the box
SIZE=4096
# UPLOAD_TIMEOUT: how long one upload of a folder may take, in seconds (a
# busy machine uploads 100,000 files in several minutes).
UPLOAD_TIMEOUT=3600

CI_NAME=window-scale
# shellcheck source=.ci/lib.sh
. .ci/lib.sh
for tool in xvfb-run sqlite3; do command -v "$tool" >/dev/null || die "needs $tool"; done
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package \"time\")"

start_work dstor-wscale "${WSCALE_KEEP:-0}"
use_cli "${WSCALE_BIN:-}"

max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
# One upload's data folder and server store at a time: the files at most
# three times over (the store, the database), and room.
HOMES=$(sandbox_store dstor-wscale-homes $((max * 3 * SIZE / 1024 + 262144)))
trap 'end_work; case "$HOMES" in /dev/shm/dstor-wscale-homes.*) rm -rf "$HOMES" ;; esac' EXIT

# cpu_s PID: user + system CPU seconds of a live process, all its threads.
cpu_s() {
	local stat
	stat=$(cat "/proc/$1/stat")
	# The fields after the command name, which is in parentheses.
	awk -v tick="$(getconf CLK_TCK)" '{ print ($12 + $13) / tick }' <<<"${stat##*) }"
}

# The part run inside Xvfb: start the window on the folder, wait until the
# history holds every file, read its CPU and memory, ask it to quit.
# Arguments: BIN HOME FOLDER FILES TIMEOUT [PROFILE_DIR]; prints
# "WALL_S CPU_S PEAK_RSS_KIB UI_NS RASTER_NS LISTED_S".
{
	declare -f thread_ns
	cat <<'INNER'
set -euo pipefail
bin=$1 home=$2 folder=$3 n=$4 timeout=$5 prof=${6:-}
db=$home/dstor-uploader.db
q() { sqlite3 -readonly "$db" "$1" 2>/dev/null || echo -1; }
args=(--env sandbox)
if [ -n "$prof" ]; then args+=(--debug-profile "$prof"); fi
t0=$(date +%s%N)
DSTOR_UPLOADER_HOME=$home "$bin" "${args[@]}" "$folder" >"$home.log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
end=$((SECONDS + timeout))
listed=""
while :; do
	kill -0 "$pid" 2>/dev/null || { echo "the window exited: $(tail -3 "$home.log")" >&2; exit 1; }
	[ "$SECONDS" -lt "$end" ] || { echo "the window did not upload $n files in $timeout s" >&2; exit 1; }
	if [ -z "$listed" ] && [ "$(q 'SELECT count(*) FROM walks')" = 0 ] && [ "$(q 'SELECT count(*) FROM jobs')" -ge "$n" ]; then
		listed=$(date +%s%N)
	fi
	[ "$(q 'SELECT entries FROM history_stats')" -ge "$n" ] && break
	failed=$(q "SELECT count(*) FROM jobs WHERE state = 'failed'")
	[ "$failed" -le 0 ] || { echo "$failed files failed: $(q "SELECT error FROM jobs WHERE state = 'failed' LIMIT 1")" >&2; exit 1; }
	sleep 0.25
done
t1=$(date +%s%N)
[ -n "$listed" ] || listed=$t1 # done before the poll saw it listed
stat=$(cat "/proc/$pid/stat")
cpu=$(awk -v tick="$(getconf CLK_TCK)" '{ print ($12 + $13) / tick }' <<<"${stat##*) }")
rss=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status")
ui=$(thread_ns "$pid" ui) raster=$(thread_ns "$pid" raster)
kill -TERM "$pid"
for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && echo "the window did not quit on SIGTERM within 60 s" >&2
trap - EXIT
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
awk -v w="$((t1 - t0))" -v c="$cpu" -v m="$rss" -v u="$ui" -v r="$raster" -v l="$((listed - t0))" \
	'BEGIN { printf "%.2f %.2f %d %.0f %.0f %.2f\n", w / 1e9, c, m, u, r, l / 1e9 }'
INNER
} >"$WORK/window.sh"

# cli_run N DATA RUN: one CLI upload of DATA against a fresh sandbox.
cli_run() {
	local n=$1 data=$2 run=$3 dir=$HOMES/cli-$1-$3
	mkdir -p "$dir"
	start_sandbox "$BIN" "$dir/sandbox"
	log "the CLI: $n files"
	if ! DSTOR_API_KEY="$KEY" DSTOR_UPLOADER_HOME="$dir/home" /usr/bin/time -v -o "$WORK/time" \
		"$BIN" upload --env "$BASE" --concurrency "$CONCURRENCY" --json "$data" >"$WORK/out" 2>"$WORK/err"; then
		die "the CLI's upload of $n files failed: $(tail -5 "$WORK/err")"
	fi
	local server
	server=$(cpu_s "$SANDBOX_PID")
	check_sandbox
	stop_sandbox
	SANDBOX_PID=""
	local ok
	ok=$(grep -c '"state":"done".*"verified":true' "$WORK/out" || true)
	[ "$ok" = "$n" ] || die "the CLI: $ok of $n files done and verified: $(tail -3 "$WORK/err")"
	awk -v n="$n" -v s="$server" '
		/Elapsed \(wall clock\)/ { k = split($NF, p, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + p[i] }
		/User time \(seconds\)/ { u = $NF }
		/System time \(seconds\)/ { y = $NF }
		/Maximum resident set size/ { m = $NF }
		END { printf "wscale cli %d %.2f %.2f %d %.2f\n", n, w, u + y, m, s }' "$WORK/time"
	rm -rf "$dir"
}

# window_run N DATA RUN: the window on DATA, from a fresh data folder.
window_run() {
	local n=$1 data=$2 run=$3 home=$HOMES/window-$1-$3 prof=""
	mkdir -p "$home"
	if [ -n "${WSCALE_PROFILE:-}" ]; then prof=$WSCALE_PROFILE/window-$n-$run; fi
	log "the window: $n files"
	local out
	out=$(xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/window.sh" "$BIN" "$home" "$data" "$n" "$UPLOAD_TIMEOUT" "$prof") ||
		die "the window with $n files: no measure (log: $home.log)"
	local db=$home/dstor-uploader.db verified paths
	verified=$(sqlite3 -readonly "$db" "SELECT count(*) FROM history WHERE verified = 1 AND hash <> ''")
	paths=$(sqlite3 -readonly "$db" "SELECT count(DISTINCT local_path) FROM history")
	[ "$verified" = "$n" ] && [ "$paths" = "$n" ] ||
		die "the window: $verified of $n history entries verified, $paths files (log: $home.log)"
	local wall cpu rss ui raster listed
	read -r wall cpu rss ui raster listed <<<"$out"
	awk -v n="$n" -v w="$wall" -v c="$cpu" -v m="$rss" -v u="$ui" -v r="$raster" -v l="$listed" \
		'BEGIN { printf "wscale window %d %.2f %.2f %d %.2f %.2f %.2f\n", n, w, c, m, u / 1e9, r / 1e9, l }'
	rm -rf "$home" "$home.log"
}

for n in $SIZES; do
	data=$WORK/data-$n
	log "making $n x $SIZE B in $data"
	make_small_files "$data" "$n" "$SIZE"
	for run in $(seq "$RUNS"); do
		if [ $((run % 2)) = 1 ]; then
			cli_run "$n" "$data" "$run"
			window_run "$n" "$data" "$run"
		else
			window_run "$n" "$data" "$run"
			cli_run "$n" "$data" "$run"
		fi
	done
	rm -rf "$data"
done
