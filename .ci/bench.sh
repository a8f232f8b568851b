#!/usr/bin/env bash
# bench.sh — the performance suite behind `make bench`.
#
# It builds the CLI, starts the sandbox on 127.0.0.1, makes its own test data
# in a temporary folder, runs every case several times, alternating ours and
# the reference (curl, or crypto/sha256 for the CID), and prints one table of
# medians and ratios. Only public tools: Go's benchmark harness,
# /usr/bin/time -v (Debian package "time"), curl.
#
#   make bench                  full pass (29 minutes on 2 busy cores, 2026-12-02;
#                               the drop case adds about 18)
#   BENCH_QUICK=1 make bench    short pass: smaller files, fewer runs
#   BENCH_RUNS=7 make bench     more runs per case (default 5, quick 2)
#   BENCH_KEEP=1                keep the temporary folder (data, logs)
#   BENCH_CASES="small limit"   only these cases (default: all of big rss
#                               small scale cid full history window drop
#                               limit)
#
# Wall-clock numbers are only meaningful as ratios taken in the same run:
# the machine may be shared. Peak RSS and CPU seconds come from
# /usr/bin/time -v of the process itself.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	RUNS=${BENCH_RUNS:-2}
	BIG_MIB=256    # the "1 GiB" cases
	HUGE_MIB=512   # the "2 GiB" case
	SMALL_N=500    # the "2,000 small files" cases
	SMALL_RUNS=1
	LIMIT_RUNS=1
	CID_PASSES=2
	HISTORY_N=20x
	HISTORY_ROWS=100,000
	HISTORY_BENCH=100k
	SCALE_SIZES="500 5000 20000"
	FRAME_SIZES="2000 20000" # fewer files upload before the window is timed
	DROP_SIZES="500 5000 20000"
else
	RUNS=${BENCH_RUNS:-5}
	BIG_MIB=1024
	HUGE_MIB=2048
	SMALL_N=2000
	SMALL_RUNS=3
	LIMIT_RUNS=3
	CID_PASSES=5
	HISTORY_N=100x
	HISTORY_ROWS=1,000,000
	HISTORY_BENCH=1M
	SCALE_SIZES="2000 20000 100000"
	FRAME_SIZES="2000 100000"
	DROP_SIZES="2000 20000 100000"
fi
MID_MIB=256 # the smaller file of the RSS comparison
CASES=${BENCH_CASES:-big rss small scale cid full history window drop limit}
# want CASE: whether this run measures CASE.
want() { [[ " $CASES " == *" $1 "* ]]; }
SMALL_SIZE=4096
CONCURRENCY=4

CI_NAME=bench
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

# --- tools -----------------------------------------------------------------
need_pkgs=()
[ -x /usr/bin/time ] || need_pkgs+=(time)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v sqlite3 >/dev/null || need_pkgs+=(sqlite3) # the window's frames: is the queue listed?
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
curl --help all 2>/dev/null | grep -q -- '--parallel-max' || die "curl is too old for --parallel (needs 7.66+)"

start_work dstor-bench "${BENCH_KEEP:-0}"
# The machine's load average (1, 5, 15 minutes) when the run starts, and
# again at the end: other jobs on the machine disturb every number.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
LOG=$WORK/bench.log
: >"$LOG"

use_cli ""

# --- data ------------------------------------------------------------------
DATA=$WORK/data
mkdir -p "$DATA/small"
mkfile() { head -c "$(($2 * 1024 * 1024))" /dev/urandom >"$1"; }
log "making test data in $DATA for: $CASES"
BIG=$DATA/big.bin
HUGE=$DATA/huge.bin
MID=$DATA/mid.bin
if want big || want cid; then mkfile "$BIG" "$BIG_MIB"; fi
if want rss || want window; then mkfile "$HUGE" "$HUGE_MIB"; fi
if want rss; then mkfile "$MID" "$MID_MIB"; fi
head -c $((SMALL_N * SMALL_SIZE)) /dev/urandom | (cd "$DATA/small" && split -b "$SMALL_SIZE" -a 5 -d - f)
[ "$(ls "$DATA/small" | wc -l)" = "$SMALL_N" ] || die "could not make the small files"

# --- sandbox ---------------------------------------------------------------
# The sandbox stands in for dStor's servers, which curl and ours share: its
# store goes to a tmpfs (/dev/shm) when there is room, so the server's disk
# (on some VMs creating a file costs ~0.7 ms) does not take the CPU both
# clients are measured on. BENCH_SANDBOX_DATA overrides the place.
need_kib=$(((BIG_MIB + 2 * HUGE_MIB + MID_MIB + 512) * 1024))
SANDBOX_DATA=${BENCH_SANDBOX_DATA:-}
if [ -z "$SANDBOX_DATA" ]; then SANDBOX_DATA=$(sandbox_store dstor-bench-sandbox "$need_kib"); fi
mkdir -p "$SANDBOX_DATA"
start_sandbox "$BIN" "$SANDBOX_DATA"
ADD=$BASE/api/v0/add
TOKEN=$(curl -sS --fail -H "api-key: $KEY" "$BASE/v1/dev/temp-token" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || die "no token from the sandbox"
log "sandbox at $BASE, storing in $SANDBOX_DATA"

# --- measuring -------------------------------------------------------------
# timed NAME CMD... runs CMD under /usr/bin/time -v and appends
# "NAME wall_s cpu_s maxrss_kib" to $WORK/samples.
timed() {
	local name=$1
	shift
	local tv=$WORK/time.out
	if ! /usr/bin/time -v -o "$tv" "$@" >"$WORK/cmd.out" 2>>"$LOG"; then
		cat "$WORK/cmd.out" >>"$LOG"
		die "$name failed (see $LOG): $*"
	fi
	awk -v name="$name" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/User time \(seconds\)/ { u = $NF }
		/System time \(seconds\)/ { s = $NF }
		/Maximum resident set size/ { m = $NF }
		END { printf "%s %.3f %.3f %d\n", name, w, u + s, m }' "$tv" >>"$WORK/samples"
}

# median NAME FIELD: the median of one field (2 wall, 3 cpu, 4 rss) of NAME's samples.
median() {
	awk -v name="$1" -v f="$2" '$1 == name { print $f }' "$WORK/samples" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ours_upload NAME EXPECTED_FILES PATH...: one CLI run in a fresh data folder;
# every file must end "done" and verified. OURS_ENV adds environment
# variables (the runs with other GC settings).
RUN_ID=0
OURS_ENV=""
ours_upload() {
	local name=$1 want=$2
	shift 2
	RUN_ID=$((RUN_ID + 1))
	local home=$WORK/home.$RUN_ID
	# shellcheck disable=SC2086 # OURS_ENV is a list of NAME=value words
	timed "$name" env $OURS_ENV DSTOR_API_KEY="$KEY" DSTOR_UPLOADER_HOME="$home" \
		"$BIN" upload --env "$BASE" --concurrency "$CONCURRENCY" --json "$@"
	local ok
	ok=$(grep -c '"state":"done".*"verified":true' "$WORK/cmd.out" || true)
	[ "$ok" = "$want" ] || die "$name: $ok of $want files done and verified: $(head -c 600 "$WORK/cmd.out")"
	rm -rf "$home"
}

# curl_upload NAME FILE: curl -F file=@FILE with the same token.
curl_upload() {
	timed "$1" curl -sS --fail -H "Authorization: Bearer $TOKEN" -F "file=@$2" "$ADD"
	grep -q '"Hash"' "$WORK/cmd.out" || die "$1: no hash in curl's answer"
}

# curl_loop NAME DIR: one curl process per file, one after the other.
curl_loop() {
	local dir=$2
	timed "$1" bash -c 'for f in "$1"/*; do curl -sS --fail -o /dev/null -H "Authorization: Bearer $2" -F "file=@$f" "$3" || exit 1; done' \
		_ "$dir" "$TOKEN" "$ADD"
}

# curl_parallel NAME DIR MAX: one curl process uploading every file, MAX at a
# time (--parallel), from a config file; every answer must be 200.
curl_parallel() {
	local name=$1 dir=$2 max=$3 cfg=$WORK/curl-parallel.cfg
	: >"$cfg"
	local sep=""
	for f in "$dir"/*; do
		printf '%surl = "%s"\nheader = "Authorization: Bearer %s"\nform = "file=@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nsilent\nshow-error\n' \
			"$sep" "$ADD" "$TOKEN" "$f" >>"$cfg"
		sep=$'next\n'
	done
	timed "$name" curl -sS --parallel --parallel-max "$max" -K "$cfg"
	local ok n
	ok=$(grep -c '^200$' "$WORK/cmd.out" || true)
	n=$(ls "$dir" | wc -l)
	[ "$ok" = "$n" ] || die "$name: $ok of $n uploads answered 200"
}

# --- the cases ---------------------------------------------------------------
: >"$WORK/samples"

want big && log "case: ${BIG_MIB} MiB upload, ours vs curl -F, $RUNS runs each, alternating"
for i in $(want big && seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		ours_upload big_ours 1 "$BIG"
		curl_upload big_curl "$BIG"
	else
		curl_upload big_curl "$BIG"
		ours_upload big_ours 1 "$BIG"
	fi
done

# Peak RSS as the CLI runs (its own GC settings, cli/gc.go) and with the
# settings it used before the CID hasher (GOGC=400 under a 24 MiB memory
# limit, given in the environment).
TUNED_GC="GOGC=400 GOMEMLIMIT=24MiB"
RSS_RUNS=$(((RUNS + 1) / 2))
want rss && log "case: peak RSS, ${MID_MIB} MiB vs ${HUGE_MIB} MiB, the CLI's own GC settings and the former ones, $RSS_RUNS runs each"
for i in $(want rss && seq "$RSS_RUNS"); do
	ours_upload mid_ours 1 "$MID"
	curl_upload mid_curl "$MID"
	ours_upload huge_ours 1 "$HUGE"
	OURS_ENV=$TUNED_GC ours_upload mid_tuned 1 "$MID"
	OURS_ENV=$TUNED_GC ours_upload huge_tuned 1 "$HUGE"
done

want small && log "case: ${SMALL_N} x ${SMALL_SIZE} B, one CLI run (concurrency $CONCURRENCY) vs a curl loop vs curl --parallel, $SMALL_RUNS runs each"
for i in $(want small && seq "$SMALL_RUNS"); do
	ours_upload small_ours "$SMALL_N" "$DATA/small"
	curl_loop small_loop "$DATA/small"
	curl_parallel small_par "$DATA/small" "$CONCURRENCY"
done

want small && log "case: sandbox, ${SMALL_N} small uploads from 8 concurrent clients (curl --parallel-max 8), $SMALL_RUNS runs"
for i in $(want small && seq "$SMALL_RUNS"); do
	curl_parallel sandbox8 "$DATA/small" 8
done
check_sandbox

# How the per-file cost and the memory grow with the number of files: one
# CLI run per size (.ci/scale.sh, its own sandbox and folders).
if want scale; then
	log "case: scale, one CLI run each of $SCALE_SIZES x 4 KiB files"
	SCALE_BIN=$BIN SCALE_SIZES=$SCALE_SIZES ./.ci/scale.sh >"$WORK/scale.txt" 2>>"$LOG" || die "scale runs failed: $(tail -5 "$LOG")"
fi
SCALE_MIN=$(echo "$SCALE_SIZES" | awk '{ print $1 }')
SCALE_MAX=$(echo "$SCALE_SIZES" | awk '{ print $NF }')
scale() { awk -v n="$1" -v f="$2" '$1 == "scale" && $2 == n { print $f }' "$WORK/scale.txt"; }
FRAME_MIN=$(echo "$FRAME_SIZES" | awk '{ print $1 }')
FRAME_MAX=$(echo "$FRAME_SIZES" | awk '{ print $NF }')
# frame N FIELD: a field of window-frames.sh's line for N files (4 frames, 5 UI ms, 6 raster ms).
frame() { awk -v n="$1" -v f="$2" '$1 == "frames" && $2 == n { print $f }' "$WORK/frames.txt"; }

# BenchmarkCIDPass alternates crypto/sha256, the CID on one goroutine and
# the CID with parallel leaves over the same file, reading it each time.
metric() { awk -v unit="$2" '$1 ~ /^Benchmark/ { for (i = 2; i <= NF; i++) if ($(i + 1) == unit) print $i }' "$1" | head -1; }
CID_MBS="" CIDPAR_MBS="" SHA_MBS="" CID_RATIO="" CID_CPU_RATIO="" CIDPAR_RATIO="" CID_CORES=""
if want cid; then
	log "case: CID pass vs crypto/sha256 over the ${BIG_MIB} MiB file ($CID_PASSES alternations, go test -bench)"
	DSTOR_BENCH_CID_FILE=$BIG $GO test -run '^$' -bench '^BenchmarkCIDPass$' -benchtime "${CID_PASSES}x" ./api/ >"$WORK/cid.txt" 2>>"$LOG" ||
		die "CID benchmark failed: $(cat "$WORK/cid.txt")"
	CID_MBS=$(metric "$WORK/cid.txt" cid-MB/s)
	CIDPAR_MBS=$(metric "$WORK/cid.txt" cidpar-MB/s)
	SHA_MBS=$(metric "$WORK/cid.txt" sha256-MB/s)
	CID_RATIO=$(metric "$WORK/cid.txt" cid/sha256)
	CID_CPU_RATIO=$(metric "$WORK/cid.txt" cid/sha256-cpu)
	CIDPAR_RATIO=$(metric "$WORK/cid.txt" cidpar/sha256)
	CID_CORES=$(metric "$WORK/cid.txt" cores)
fi

# The full-size proof: a stream of more than 174² chunks, so the
# DAG has three levels, hashed by the CID hasher and by boxo's importer (the
# reference) with IPFS add's real parameters. The bytes are generated as
# they are read, never stored. Skipped in the quick pass (about a minute).
FULL_LINE=""
if [ "$QUICK" != 1 ] && want full; then
	log "case: full-size CID (174² + 3 chunks, about 7.9 GB streamed) against boxo"
	DSTOR_CID_FULL_SIZE=1 $GO test -run '^TestCIDFullSizeMatchesBoxo$' -count=1 -v -timeout 60m ./api/ >"$WORK/cid-full.txt" 2>>"$LOG" ||
		die "the full-size CID run failed: $(tail -20 "$WORK/cid-full.txt")"
	FULL_LINE=$(grep -o 'full-size: .*' "$WORK/cid-full.txt" | head -1)
	[ -n "$FULL_LINE" ] || die "the full-size CID run printed no result"
fi

# History at a million entries (100,000 in the quick pass): the data folder
# is filled once per bench run (a few minutes) by the benchmark itself.
if want history; then
	log "case: history of $HISTORY_ROWS rows (go test -bench BenchmarkHistory$HISTORY_BENCH)"
	DSTOR_BENCH_HISTORY_DIR=$WORK/history $GO test -run '^$' -bench "^BenchmarkHistory$HISTORY_BENCH\$" -benchtime "$HISTORY_N" -timeout 60m ./storage/ >"$WORK/history.txt" 2>>"$LOG" ||
		die "history benchmark failed: $(cat "$WORK/history.txt")"
	nsop() { awk -v b="$2" '$1 ~ "^BenchmarkHistory[0-9a-zA-Z]+/"b"(-[0-9]+)?$" { print $3 }' "$1" | head -1; }
	HIST_FIRST=$(nsop "$WORK/history.txt" FirstPage)
	HIST_SEARCH=$(for s in Search SearchCommon SearchNoMatch SearchAccented SearchCID; do nsop "$WORK/history.txt" $s; done | sort -g | tail -1)
	# Search as you type: each keystroke of "img_04242" (page and capped count,
	# as the window runs it); the slowest one.
	HIST_TYPE=$(awk '$1 ~ "^BenchmarkHistory[0-9a-zA-Z]+/Type/" { print $3 }' "$WORK/history.txt" | sort -g | tail -1)
	[ -n "$HIST_FIRST" ] && [ -n "$HIST_SEARCH" ] && [ -n "$HIST_TYPE" ] || die "history benchmark printed no result: $(cat "$WORK/history.txt")"
fi

# The window's cases need the window (`dstor-uploader --env sandbox`) and
# Xvfb. Cold start: from exec to the "dStor Uploader" window being mapped on
# the X server (polled with xwininfo every 10 ms), on a data folder holding
# 100,000 history rows. RSS: the window started with the big file on its
# command line uploads it to its built-in sandbox (same process); peak RSS
# of the whole process from /usr/bin/time -v, stopped once the history has
# the file. RSS added by the upload: the same file handed to a window that
# has settled (window-added.sh, below), peak against idle.
WINDOW=no
if { want window || want drop; } && "$BIN" --env sandbox --help >"$WORK/window-help.txt" 2>&1 && grep -qi window "$WORK/window-help.txt" &&
	command -v xvfb-run >/dev/null && command -v xwininfo >/dev/null; then
	WINDOW=yes
fi
WIN_RUNS=$RSS_RUNS
if [ "$WINDOW" = yes ] && want window; then
	log "case: the window: cold start with 100,000 history rows, $WIN_RUNS runs; peak RSS uploading the ${HUGE_MIB} MiB file; RSS that upload adds above the idle window, $WIN_RUNS runs"
	DSTOR_BENCH_FILL_DIR=$WORK/win-fill $GO test -count=1 -run '^TestFillHistoryForBench$' ./storage/ >>"$LOG" 2>&1 ||
		die "could not fill a history of 100,000 rows"
	cat >"$WORK/window-start.sh" <<'WIN'
set -u
bin=$1 home=$2
start=$(date +%s%N)
DSTOR_UPLOADER_HOME=$home "$bin" --env sandbox >>"$home.log" 2>&1 &
pid=$!
mapped=""
for _ in $(seq 3000); do
	if xwininfo -root -tree 2>/dev/null | grep -q '"dStor Uploader"'; then mapped=$(date +%s%N); break; fi
	sleep 0.01
done
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
[ -n "$mapped" ] || exit 1
awk -v s="$start" -v e="$mapped" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'
WIN
	cat >"$WORK/window-upload.sh" <<'WIN'
set -u
bin=$1 home=$2 file=$3 tv=$4
name=$(basename "$file")
DSTOR_UPLOADER_HOME=$home /usr/bin/time -v -o "$tv" "$bin" --env sandbox "$file" >>"$home.log" 2>&1 &
tpid=$!
ok=1
for _ in $(seq 1200); do
	if DSTOR_UPLOADER_HOME=$home "$bin" history --json --search "$name" 2>/dev/null | grep -q '"verified": *true'; then ok=0; break; fi
	sleep 0.25
done
child=$(pgrep -P "$tpid" || true)
[ -n "$child" ] && kill "$child"
wait "$tpid" 2>/dev/null
exit $ok
WIN
	for i in $(seq "$WIN_RUNS"); do
		rm -rf "$WORK/win-home"
		cp -r "$WORK/win-fill" "$WORK/win-home"
		t=$(xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/window-start.sh" "$BIN" "$WORK/win-home") ||
			die "the window did not show up (see $WORK/win-home.log)"
		echo "win_start $t 0 0" >>"$WORK/samples"
	done
	rm -rf "$WORK/win-home"
	mkdir -p "$WORK/win-home"
	xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/window-upload.sh" "$BIN" "$WORK/win-home" "$HUGE" "$WORK/win-time.out" ||
		die "the window did not upload $HUGE (see $WORK/win-home.log)"
	awk '/Maximum resident set size/ { print "win_rss 0 0 " $NF }' "$WORK/win-time.out" >>"$WORK/samples"
	# The RSS the upload adds above the idle window, in one window: started
	# with no file on a fresh data folder, it is idle once it is mapped,
	# signed in to its built-in sandbox (its queue holds the account's lock
	# in locks/) and its RSS has stayed within 256 KiB for 3 s; that RSS is
	# the idle one. Then its peak (VmHWM) is reset through
	# /proc/PID/clear_refs, a second launch hands it the file (as "Open
	# with" does) and exits, and once the history has the file verified
	# VmHWM is the peak. Prints "idle_KiB peak_KiB cpu_s wall_s", the CPU
	# (all threads) and wall time from the hand-over to verified.
	cat >"$WORK/window-added.sh" <<'WIN'
set -u
bin=$1 home=$2 file=$3
name=$(basename "$file")
DSTOR_UPLOADER_HOME=$home "$bin" --env sandbox >>"$home.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
cpu() { awk -v t="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / t }' "/proc/$pid/stat"; }
idle="" ref=0 same=0
for _ in $(seq 480); do
	kill -0 "$pid" 2>/dev/null || { echo "the window exited before it settled" >&2; exit 1; }
	rss=$(status VmRSS)
	if ! ls "$home/locks/"*.lock >/dev/null 2>&1 || ! xwininfo -root -tree 2>/dev/null | grep -q '"dStor Uploader"'; then
		same=0 ref=$rss
	elif [ $((rss - ref)) -le 256 ] && [ $((ref - rss)) -le 256 ]; then
		same=$((same + 1))
		if [ "$same" -ge 12 ]; then idle=$rss; break; fi
	else
		same=0 ref=$rss
	fi
	sleep 0.25
done
[ -n "$idle" ] || { echo "the window did not settle in 2 minutes" >&2; exit 1; }
echo 5 >"/proc/$pid/clear_refs" || exit 1
c0=$(cpu) t0=$(date +%s%N)
DSTOR_UPLOADER_HOME=$home "$bin" --env sandbox "$file" >>"$home.log" 2>&1 || { echo "the second launch failed" >&2; exit 1; }
for _ in $(seq 1200); do
	if DSTOR_UPLOADER_HOME=$home "$bin" history --json --search "$name" 2>/dev/null | grep -q '"verified": *true'; then
		kill -0 "$pid" 2>/dev/null || exit 1
		echo "$idle $(status VmHWM) $(awk -v a="$c0" -v b="$(cpu)" -v s="$t0" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f %.2f", b - a, (e - s) / 1e9 }')"
		exit 0
	fi
	sleep 0.25
done
echo "the window did not upload $file" >&2
exit 1
WIN
	: >"$WORK/win-added.txt"
	for i in $(seq "$WIN_RUNS"); do
		rm -rf "$WORK/win-home"
		mkdir -p "$WORK/win-home"
		xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/window-added.sh" "$BIN" "$WORK/win-home" "$HUGE" >>"$WORK/win-added.txt" 2>>"$LOG" ||
			die "the idle window, then $HUGE handed to it: $(tail -3 "$LOG") (see $WORK/win-home.log)"
	done
	rm -rf "$WORK/win-home"
	# Frames: the real window (OpenGL, drawn by Mesa's llvmpipe under Xvfb)
	# with a folder dropped on it, frames counted while it uploads once the
	# folder is listed: CPU per frame of the UI thread and of the rasterizer
	# (.ci/window-frames.sh).
	log "case: the window's frames with $FRAME_SIZES files queued"
	FRAME_BIN=$BIN FRAME_SIZES=$FRAME_SIZES ./.ci/window-frames.sh >"$WORK/frames.txt" 2>>"$LOG" ||
		die "the window's frames: $(tail -5 "$LOG")"
fi

# A folder of many small files dropped on the window (the window started on
# it, as window-frames.sh does), timed from exec until the history holds
# every file, against one CLI run on the same folder, alternating, at each
# size (.ci/window-scale.sh: its own folders and sandboxes).
if [ "$WINDOW" = yes ] && want drop; then
	log "case: $DROP_SIZES x 4 KiB files dropped on the window, and uploaded by the CLI"
	WSCALE_BIN=$BIN WSCALE_SIZES=$DROP_SIZES ./.ci/window-scale.sh >"$WORK/drop.txt" 2>>"$LOG" ||
		die "the window's drops: $(tail -5 "$LOG")"
fi
DROP_MIN=$(echo "$DROP_SIZES" | awk '{ print $1 }')
DROP_MAX=$(echo "$DROP_SIZES" | awk '{ print $NF }')
# The window's per-file cost is compared with the second size: the smallest
# run is mostly the window's start (the sign-in to the sandbox it starts, the
# first frames), which says nothing about the cost of a file in a long queue.
DROP_REF=$(echo "$DROP_SIZES" | awk '{ print (NF > 1 ? $(NF - 1) : $1) }')
# drop WHO N FIELD: a field of window-scale.sh's line for WHO (cli, window)
# and N files (4 wall s, 5 CPU s, 6 peak RSS KiB; 7 the CLI's sandbox CPU s,
# or the window's UI thread CPU s, 8 the window's llvmpipe CPU s).
drop() { awk -v who="$1" -v n="$2" -v f="$3" '$1 == "wscale" && $2 == who && $3 == n { print $f }' "$WORK/drop.txt"; }

# The speed limit: 64 MiB in four uploads at once through one client
# limited to 8 MiB/s (what --limit-rate 8M sets), counted as the server
# receives the bytes (BenchmarkUploadLimitRate).
if want limit; then
	log "case: speed limit 8M, 64 MiB in four uploads at once (go test -bench BenchmarkUploadLimitRate)"
	$GO test -run '^$' -bench '^BenchmarkUploadLimitRate$' -benchtime "${LIMIT_RUNS}x" ./api/ >"$WORK/limit.txt" 2>>"$LOG" ||
		die "speed-limit benchmark failed: $(cat "$WORK/limit.txt")"
	LIMIT_AVG=$(metric "$WORK/limit.txt" avg/limit)
	LIMIT_BUSY=$(metric "$WORK/limit.txt" busiest-1s/limit)
	[ -n "$LIMIT_AVG" ] && [ -n "$LIMIT_BUSY" ] || die "speed-limit benchmark printed no result: $(cat "$WORK/limit.txt")"
fi

# --- the table ---------------------------------------------------------------
MIB=1048576
big_bytes=$((BIG_MIB * MIB))
{
	echo "case|ours|reference|ratio|target|met?"
	if want big; then
		awk -v bo="$(median big_ours 2)" -v bc="$(median big_curl 2)" -v sz="$big_bytes" -v mib="$BIG_MIB" 'BEGIN {
			o = sz / 1e6 / bo; c = sz / 1e6 / bc; r = o / c
			printf "%s upload, MB/s (CID verified) vs curl -F|%.0f|%.0f|%.2f|≥ 1.0 × curl|%s\n", (mib == 1024 ? "1 GiB" : mib " MiB"), o, c, r, (r >= 1.0 ? "yes" : "no") }'
		awk -v co="$(median big_ours 3)" -v cc="$(median big_curl 3)" -v mib="$BIG_MIB" 'BEGIN {
			o = co * 1024 / mib; c = cc * 1024 / mib
			printf "client CPU s per GiB, verified (curl: unverified)|%.2f|%.2f|%.2f|≤ 0.8 s|%s\n", o, c, o / c, (o <= 0.8 ? "yes" : "no") }'
		# What one SHA-256 pass over a GiB costs on this CPU (the CID case's
		# crypto/sha256 reference): a verified upload hashes every byte at
		# least once (the CID) and the receipt's checksum a second time, so
		# this is the floor under the row above on this machine.
		if want cid && [ -n "$SHA_MBS" ]; then
			awk -v s="$SHA_MBS" 'BEGIN {
				printf "CPU s per GiB of one crypto/sha256 pass on this CPU, the floor under the row above (from the CID case; ref: two passes, the CID and the receipt)|%.2f|%.2f|—|report|—\n", 1073.741824 / s, 2 * 1073.741824 / s }'
		fi
	fi
	if want rss; then
		awk -v m="$(median mid_ours 4)" -v c="$(median mid_curl 4)" -v mib="$MID_MIB" 'BEGIN {
			printf "peak RSS, %d MiB upload, MiB (ref: curl)|%.1f|%.1f|%.2f|≤ 64 MiB|%s\n", mib, m / 1024, c / 1024, m / c, (m / 1024 <= 64 ? "yes" : "no") }'
		awk -v h="$(median huge_ours 4)" -v m="$(median mid_ours 4)" -v mib="$HUGE_MIB" -v mid="$MID_MIB" 'BEGIN {
			r = h / m; ok = (h / 1024 <= 64 && r <= 1.10)
			printf "peak RSS, %s upload, MiB (ref: ours, %d MiB)|%.1f|%.1f|%.2f|≤ 64 MiB, flat (≤ 1.10 ×)|%s\n", (mib == 2048 ? "2 GiB" : mib " MiB"), mid, h / 1024, m / 1024, r, (ok ? "yes" : "no") }'
		awk -v m="$(median mid_tuned 4)" -v c="$(median mid_ours 4)" -v mib="$MID_MIB" 'BEGIN {
			printf "peak RSS, %d MiB upload, former GC settings (GOGC=400, 24 MiB limit), MiB (ref: the CLI as it ships, cli/gc.go)|%.1f|%.1f|%.2f|≤ 64 MiB|%s\n", mib, m / 1024, c / 1024, m / c, (m / 1024 <= 64 ? "yes" : "no") }'
		awk -v h="$(median huge_tuned 4)" -v m="$(median mid_tuned 4)" -v mib="$HUGE_MIB" -v mid="$MID_MIB" 'BEGIN {
			r = h / m; ok = (h / 1024 <= 64 && r <= 1.10)
			printf "peak RSS, %s upload, former GC settings, MiB (ref: same, %d MiB)|%.1f|%.1f|%.2f|≤ 64 MiB, flat (≤ 1.10 ×)|%s\n", (mib == 2048 ? "2 GiB" : mib " MiB"), mid, h / 1024, m / 1024, r, (ok ? "yes" : "no") }'
		awk -v d="$(median huge_tuned 3)" -v o="$(median huge_ours 3)" -v mib="$HUGE_MIB" 'BEGIN {
			d = d * 1024 / mib; o = o * 1024 / mib
			printf "client CPU s per GiB, %s upload: former GC settings (ref: the CLI as it ships, cli/gc.go)|%.2f|%.2f|%.2f|report|—\n", (mib == 2048 ? "2 GiB" : mib " MiB"), d, o, d / o }'
	fi
	if want small; then
		awk -v o="$(median small_ours 2)" -v l="$(median small_loop 2)" -v n="$SMALL_N" -v c="$CONCURRENCY" 'BEGIN {
			fo = n / o; fl = n / l; r = fo / fl
			printf "%d × 4 KiB, files/s: CLI (concurrency %d) vs curl loop|%.0f|%.0f|%.2f|≥ 5 × loop|%s\n", n, c, fo, fl, r, (r >= 5 ? "yes" : "no") }'
		awk -v o="$(median small_ours 2)" -v p="$(median small_par 2)" -v n="$SMALL_N" -v c="$CONCURRENCY" 'BEGIN {
			fo = n / o; fp = n / p; r = fo / fp
			printf "%d × 4 KiB, files/s: CLI vs one curl --parallel (max %d)|%.0f|%.0f|%.2f|≥ 1.0 × curl --parallel|%s\n", n, c, fo, fp, r, (r >= 1.0 ? "yes" : "no") }'
		# On shared cores the run that asks for less CPU finishes first: the
		# CPU seconds of the two processes say why the files/s differ.
		awk -v o="$(median small_ours 3)" -v p="$(median small_par 3)" -v n="$SMALL_N" 'BEGIN {
			printf "%d × 4 KiB, client CPU s: CLI vs one curl --parallel|%.2f|%.2f|%.2f|report|—\n", n, o, p, o / p }'
	fi
	if want limit; then
		awk -v a="$LIMIT_AVG" 'BEGIN { printf "speed limit 8M (8 MiB/s), 64 MiB in 4 uploads at once: average, MiB/s vs the limit|%.2f|8|%.3f|within ±5 %%|%s\n", a * 8, a, (a >= 0.95 && a <= 1.05 ? "yes" : "no") }'
		awk -v b="$LIMIT_BUSY" 'BEGIN { printf "speed limit 8M: busiest 1-second window at the server, MiB vs the limit|%.2f|8|%.3f|< 1.25 × the limit|%s\n", b * 8, b, (b < 1.25 ? "yes" : "no") }'
	fi
	if want cid; then
		awk -v o="$CID_MBS" -v s="$SHA_MBS" -v r="$CID_RATIO" -v mib="$BIG_MIB" 'BEGIN {
			printf "CID of a %s file on one goroutine, MB/s vs crypto/sha256 (wall time)|%.0f|%.0f|%.2f|≥ 0.95 × sha256|%s\n", (mib == 1024 ? "1 GiB" : mib " MiB"), o, s, r, (r >= 0.95 ? "yes" : "no") }'
		if [ -n "$CID_CPU_RATIO" ]; then
			awk -v r="$CID_CPU_RATIO" -v mib="$BIG_MIB" 'BEGIN {
				printf "CID of a %s file on one goroutine vs crypto/sha256, by the thread'"'"'s CPU time|—|—|%.2f|≥ 0.95 × sha256|%s\n", (mib == 1024 ? "1 GiB" : mib " MiB"), r, (r >= 0.95 ? "yes" : "no") }'
		fi
		awk -v o="$CIDPAR_MBS" -v s="$SHA_MBS" -v r="$CIDPAR_RATIO" -v mib="$BIG_MIB" -v n="$CID_CORES" 'BEGIN {
			printf "CID of a %s file, parallel leaves (%d cores), MB/s vs one-core crypto/sha256|%.0f|%.0f|%.2f|≥ 1.6 × sha256|%s\n", (mib == 1024 ? "1 GiB" : mib " MiB"), n, o, s, r, (r >= 1.6 ? "yes" : "no") }'
	fi
	if [ -n "$FULL_LINE" ]; then
		echo "$FULL_LINE" | awk '{
			for (i = 1; i <= NF; i++) { if ($i == "bytes,") b = $(i - 1); if ($i == "chunks,") c = $(i - 1); if ($i == "ours") o = $(i + 1); if ($i == "boxo") x = $(i + 1); if ($i == "equal") e = $(i + 1) }
			printf "CID of %.1f GB streamed (%s chunks, 3 levels), MB/s: ours vs boxo, same CID and size|%.0f|%.0f|%.2f|equal to boxo|%s\n", b / 1e9, c, o, x, o / x, (e == "true" ? "yes" : "no") }'
	elif want full; then
		echo "CID of 7.9 GB streamed (30,279 chunks, 3 levels): ours vs boxo|not run (quick pass)|—|—|equal to boxo|—"
	fi
	if want history; then
		awk -v f="$HIST_FIRST" -v n="$HISTORY_ROWS" 'BEGIN { printf "history, %s rows: first page, ms|%.2f|—|—|≤ 5 ms|%s\n", n, f / 1e6, (f / 1e6 <= 5 ? "yes" : "no") }'
		awk -v f="$HIST_SEARCH" -v n="$HISTORY_ROWS" 'BEGIN { printf "history, %s rows: search (slowest of rare, common, none, accented, a CID), ms|%.2f|—|—|≤ 20 ms|%s\n", n, f / 1e6, (f / 1e6 <= 20 ? "yes" : "no") }'
		awk -v f="$HIST_TYPE" -v n="$HISTORY_ROWS" 'BEGIN { printf "history, %s rows: search as you type, slowest keystroke of \"img_04242\" (page + count), ms|%.2f|—|—|≤ 20 ms|%s\n", n, f / 1e6, (f / 1e6 <= 20 ? "yes" : "no") }'
	fi
	if want scale; then
		for n in $SCALE_SIZES; do
			awk -v n="$n" -v f="$(scale "$n" 4)" -v w="$(scale "$n" 3)" 'BEGIN { printf "%d × 4 KiB, one CLI run (concurrency 4), files/s (ref: wall s)|%.0f|%.1f|—|report|—\n", n, f, w }'
		done
		awk -v hi="$(scale "$SCALE_MAX" 4)" -v lo="$(scale "$SCALE_MIN" 4)" -v a="$SCALE_MAX" -v b="$SCALE_MIN" 'BEGIN {
			r = hi / lo; printf "files/s, %d vs %d files: per-file cost flat|%.0f|%.0f|%.2f|≥ 0.9|%s\n", a, b, hi, lo, r, (r >= 0.9 ? "yes" : "no") }'
		awk -v hi="$(scale "$SCALE_MAX" 5)" -v lo="$(scale "$SCALE_MIN" 5)" -v a="$SCALE_MAX" -v b="$SCALE_MIN" 'BEGIN {
			printf "peak RSS, %d × 4 KiB upload, MiB (ref: %d files)|%.1f|%.1f|%.2f|≤ 64 MiB|%s\n", a, b, hi / 1024, lo / 1024, hi / lo, (hi / 1024 <= 64 ? "yes" : "no") }'
	fi
	if want small; then
		awk -v w="$(median sandbox8 2)" -v n="$SMALL_N" 'BEGIN { printf "sandbox: 4 KiB uploads/s, 8 concurrent clients (curl)|%.0f|—|—|report; no errors|yes (0 errors)\n", n / w }'
	fi
	if want window; then
		if [ "$WINDOW" = no ]; then
			echo "window: cold start to first frame, 100,000 rows|not measured yet (window not built)|—|—|≤ 1.5 s|—"
			echo "window: peak RSS uploading the 2 GiB file|not measured yet (window not built)|—|—|≤ 150 MiB|—"
			echo "window: RSS a 2 GiB upload adds above the idle window|not measured yet (window not built)|—|—|≤ 24 MiB|—"
			echo "window: CPU per frame with $FRAME_MAX files queued|not measured yet (window not built)|—|—|≤ 16 ms|—"
		else
			awk -v hi="$(frame "$FRAME_MAX" 5)" -v lo="$(frame "$FRAME_MIN" 5)" -v fh="$(frame "$FRAME_MAX" 4)" -v fl="$(frame "$FRAME_MIN" 4)" -v a="$FRAME_MAX" -v b="$FRAME_MIN" 'BEGIN {
				h = hi / fh; l = lo / fl; r = h / l; ok = (h <= 16 && r <= 1.10)
				printf "window (OpenGL under Xvfb) uploading, %d files queued: UI thread CPU per frame, ms (ref: %d queued; %d and %d frames)|%.1f|%.1f|%.2f|≤ 16 ms, flat (≤ 1.10 ×)|%s\n", a, b, fh, fl, h, l, r, (ok ? "yes" : "no") }'
			awk -v hi="$(frame "$FRAME_MAX" 6)" -v lo="$(frame "$FRAME_MIN" 6)" -v fh="$(frame "$FRAME_MAX" 4)" -v fl="$(frame "$FRAME_MIN" 4)" -v a="$FRAME_MAX" -v b="$FRAME_MIN" 'BEGIN {
				h = hi / fh; l = lo / fl
				printf "window uploading, %d files queued: Mesa llvmpipe rasterizer CPU per frame (a GPU'"'"'s work on a desktop), ms (ref: %d queued)|%.1f|%.1f|%.2f|report|—\n", a, b, h, l, h / l }'
			awk -v t="$(median win_start 2)" 'BEGIN { printf "window: cold start to window mapped (Xvfb), 100,000 rows, s|%.2f|—|—|≤ 1.5 s|%s\n", t, (t <= 1.5 ? "yes" : "no") }'
			awk -v m="$(median win_rss 4)" -v mib="$HUGE_MIB" 'BEGIN { printf "window: peak RSS uploading the %s file (built-in sandbox in the same process), MiB|%.1f|—|—|≤ 150 MiB|%s\n", (mib == 2048 ? "2 GiB" : mib " MiB"), m / 1024, (m / 1024 <= 150 ? "yes" : "no") }'
			# The run whose added RSS is the median (of an even number, the
			# higher of the middle two), with its idle and peak.
			sort -k5,5g <(awk '{ print $0, $2 - $1 }' "$WORK/win-added.txt") | awk -v mib="$HUGE_MIB" '{ i[NR] = $1; p[NR] = $2 } END {
				m = int(NR / 2) + 1; a = (p[m] - i[m]) / 1024
				printf "window: RSS a %s upload adds above the idle window, MiB (ref: idle → peak; the same window, handed the file once settled; the median of %d run%s)|%.1f|%.1f → %.1f|—|≤ 24 MiB%s|%s\n",
					(mib == 2048 ? "2 GiB" : mib " MiB"), NR, (NR == 1 ? "" : "s"), a, i[m] / 1024, p[m] / 1024, (mib == 2048 ? "" : " (for 2 GiB; quick pass)"), (a <= 24 ? "yes" : "no") }'
		fi
	fi
	if want drop; then
		if [ "$WINDOW" = no ]; then
			echo "window: $DROP_MAX × 4 KiB dropped, files/s|not measured (window not built)|—|—|≥ 0.9 × at $DROP_REF|—"
		else
			for n in $DROP_SIZES; do
				awk -v n="$n" -v w="$(drop window "$n" 4)" -v c="$(drop cli "$n" 4)" 'BEGIN {
					fw = n / w; fc = n / c
					printf "%d × 4 KiB dropped on the window (built-in sandbox), files/s from exec to all verified (ref: the CLI, 3 at once, same folder)|%.0f|%.0f|%.2f|report|—\n", n, fw, fc, fw / fc }'
			done
			awk -v hi="$(drop window "$DROP_MAX" 4)" -v lo="$(drop window "$DROP_REF" 4)" -v a="$DROP_MAX" -v b="$DROP_REF" 'BEGIN {
				fh = a / hi; fl = b / lo; r = fh / fl
				printf "window: files/s, %d vs %d files dropped (the smallest run is mostly start-up): per-file cost flat|%.0f|%.0f|%.2f|≥ 0.9|%s\n", a, b, fh, fl, r, (r >= 0.9 ? "yes" : "no") }'
			awk -v w="$(drop window "$DROP_MAX" 5)" -v c="$(drop cli "$DROP_MAX" 5)" -v s="$(drop cli "$DROP_MAX" 7)" -v n="$DROP_MAX" 'BEGIN {
				w = w * 1000 / n; c = (c + s) * 1000 / n
				printf "window: CPU s per 1,000 files, %d dropped, its sandbox included (ref: the CLI + its sandbox)|%.2f|%.2f|%.2f|report|—\n", n, w, c, w / c }'
			awk -v u="$(drop window "$DROP_MAX" 7)" -v r="$(drop window "$DROP_MAX" 8)" -v n="$DROP_MAX" 'BEGIN {
				printf "window, %d dropped: of that CPU, the UI thread (ref: Mesa llvmpipe, a GPU'"'"'s work on a desktop), s per 1,000 files|%.2f|%.2f|—|report|—\n", n, u * 1000 / n, r * 1000 / n }'
			awk -v hi="$(drop window "$DROP_MAX" 6)" -v lo="$(drop window "$DROP_MIN" 6)" -v a="$DROP_MAX" -v b="$DROP_MIN" 'BEGIN {
				printf "window: peak RSS, %d files dropped, MiB (ref: %d files)|%.1f|%.1f|%.2f|report|—\n", a, b, hi / 1024, lo / 1024, hi / lo }'
		fi
	fi
} >"$WORK/table.psv"

runs_note="medians of $RUNS runs (RSS: $RSS_RUNS, small files: $SMALL_RUNS), CID: medians of $CID_PASSES alternations (ratios taken per alternation)"
[ "$QUICK" = 1 ] && runs_note="QUICK pass (smaller files, fewer runs): $runs_note"
echo
echo "dStor Uploader — make bench — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, $($GO version | awk '{print $3}')"
echo "$runs_note"
echo "load average (1, 5, 15 min): $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) at the end"
echo
awk -F'|' 'NR == 1 { print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " |"; print "|---|---:|---:|---:|---|---|"; next }
	{ print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " |" }' "$WORK/table.psv"
echo
echo "raw samples (name wall_s cpu_s maxrss_KiB) are in $WORK/samples when BENCH_KEEP=1"
if [ "${BENCH_KEEP:-0}" = 1 ]; then cp "$WORK/table.psv" "$WORK/table.txt"; fi
