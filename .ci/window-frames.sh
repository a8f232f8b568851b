#!/usr/bin/env bash
# window-frames.sh — what drawing the window costs with many files queued,
# on the real window (Fyne's OpenGL driver, drawn by Mesa's llvmpipe under
# Xvfb), for `make bench` (which runs it) or on its own.
#
# For each size in FRAME_SIZES it makes a folder of that many 4 KiB files
# in sub-folders of 1,000 and starts the window on it under Xvfb
# (`dstor-uploader --env sandbox FOLDER`: signed in to its built-in
# sandbox, which uploads in the same process). Once every file is listed
# in the queue, it counts for FRAME_SECONDS (or until the queue is done)
# the frames the window presents (Mesa's HUD, GALLIUM_HUD=frametime, kept
# hidden, writes a line per frame) and the CPU time of the threads that
# draw them:
#   - the UI thread: the process's main thread, where Fyne runs its event
#     loop, the app's updates of the view (the event batches the queue
#     sends, four a second, applied and rendered) and the OpenGL calls;
#   - Mesa's llvmpipe threads: the rasterizer, the part a GPU does on a
#     desktop.
# The upload itself (the queue, the sandbox) runs on other threads and is
# not counted. One line per size:
#
#   frames FILES SECONDS FRAMES UI_CPU_MS RASTER_CPU_MS
#
#   FRAME_SIZES="2000 100000"   the sizes (default)
#   FRAME_SECONDS=10            how long to count (default 10)
#   FRAME_BIN=path              the binary to run (default: built here)
#   FRAME_KEEP=1                keep the temporary folder
# Needs xvfb-run, sqlite3 (to see the queue listed) and Mesa's gallium
# software driver (llvmpipe), as on a machine without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
SIZES=${FRAME_SIZES:-2000 100000}
SECONDS_COUNTED=${FRAME_SECONDS:-10}
SIZE=4096
# LIST_TIMEOUT: how long the window may take to list a folder, in seconds
# (a busy machine lists 100,000 files in minutes).
LIST_TIMEOUT=1200

CI_NAME=window-frames
# shellcheck source=.ci/lib.sh
. .ci/lib.sh
for tool in xvfb-run sqlite3; do command -v "$tool" >/dev/null || die "needs $tool"; done

start_work dstor-frames "${FRAME_KEEP:-0}"
use_cli "${FRAME_BIN:-}"

# The part run inside Xvfb: start the window, wait for the listing, count.
# Arguments: BIN HOME FOLDER FILES SECONDS HUD_DIR LIST_TIMEOUT; prints
# "SECONDS FRAMES UI_NS RASTER_NS".
{
	declare -f thread_ns
	cat <<'INNER'
set -euo pipefail
bin=$1 home=$2 folder=$3 n=$4 seconds=$5 hud=$6 list_timeout=$7
db=$home/dstor-uploader.db
q() { sqlite3 -readonly "$db" "$1" 2>/dev/null || echo -1; }
frames() { if [ -f "$hud/frametime_(ms)" ]; then wc -l <"$hud/frametime_(ms)"; else echo 0; fi; }
DSTOR_UPLOADER_HOME=$home GALLIUM_HUD=frametime GALLIUM_HUD_VISIBLE=false GALLIUM_HUD_DUMP_DIR=$hud \
	"$bin" --env sandbox "$folder" >"$home.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
end=$((SECONDS + list_timeout))
while :; do
	kill -0 "$pid" 2>/dev/null || { echo "the window exited: $(tail -3 "$home.log")" >&2; exit 1; }
	[ "$SECONDS" -lt "$end" ] || { echo "the window did not list $n files in $list_timeout s" >&2; exit 1; }
	[ "$(q 'SELECT count(*) FROM walks')" = 0 ] && [ "$(q 'SELECT count(*) FROM jobs')" -ge "$n" ] && break
	sleep 0.5
done
[ "$(q 'SELECT count(*) FROM history')" -lt "$n" ] || { echo "the queue was done before it was listed: use more files" >&2; exit 1; }
f0=$(frames) ui0=$(thread_ns "$pid" ui) r0=$(thread_ns "$pid" raster) t0=$(date +%s%N)
stop=$(($(date +%s%N) + seconds * 1000000000))
while [ "$(date +%s%N)" -lt "$stop" ] && [ "$(q 'SELECT count(*) FROM history')" -lt "$n" ]; do sleep 0.25; done
f1=$(frames) ui1=$(thread_ns "$pid" ui) r1=$(thread_ns "$pid" raster) t1=$(date +%s%N)
[ -f "$hud/frametime_(ms)" ] || { echo "Mesa's HUD wrote no frame times (not a gallium driver?)" >&2; exit 1; }
awk -v t="$((t1 - t0))" -v f="$((f1 - f0))" -v u="$((ui1 - ui0))" -v r="$((r1 - r0))" 'BEGIN { printf "%.2f %d %.0f %.0f\n", t / 1e9, f, u, r }'
INNER
} >"$WORK/measure.sh"

for n in $SIZES; do
	data=$WORK/data-$n home=$WORK/home-$n hud=$WORK/hud-$n
	log "making $n x $SIZE B in $data"
	make_small_files "$data" "$n" "$SIZE"
	mkdir -p "$home" "$hud"
	log "the window with $n files: waiting for the listing, then counting frames for ${SECONDS_COUNTED} s"
	out=$(xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/measure.sh" "$BIN" "$home" "$data" "$n" "$SECONDS_COUNTED" "$hud" "$LIST_TIMEOUT") ||
		die "the window with $n files: no measure (log: $home.log)"
	read -r secs nframes ui raster <<<"$out"
	[ "$nframes" -gt 0 ] || die "the window with $n files drew no frame in $secs s"
	awk -v n="$n" -v s="$secs" -v f="$nframes" -v u="$ui" -v r="$raster" 'BEGIN { printf "frames %d %.2f %d %.1f %.1f\n", n, s, f, u / 1e6, r / 1e6 }'
	rm -rf "$data" "$home" "$hud"
done
