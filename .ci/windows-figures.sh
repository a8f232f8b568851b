#!/usr/bin/env bash
# The Windows rows of README's Performance and Reliability tables: the
# Windows build (dist/windows/dstor-uploader.exe, from make windows) run
# under Wine in a throw-away prefix against a sandbox on 127.0.0.1 (the
# Linux build), next to the Linux build of the same commit.
#
#   performance: (RUNS=0: none) a 256 MiB upload (MB/s) and 500 files of 4 KiB (files/s),
#                RUNS runs each (default 3), alternating Wine and Linux;
#                medians, and the Wine/Linux ratio.
#   crash-kill:  ROUNDS rounds (default 5): `upload` of a folder of FILES
#                files (default 100; about 12.5 MiB in all, so the more
#                files the smaller each) killed (SIGKILL of its Wine
#                process) once a random number (0 to FILES-1) of its files
#                are in the history, then `resume`; every file must be in
#                `history --json` exactly once with the CID computed on
#                Linux, the history must hold nothing else, and SQLite's
#                integrity_check must pass on the database after the kill.
#
# Environment: GO (go), RUNS, ROUNDS, FILES, SEED (the kill points; printed).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-5}
FILES=${FILES:-100}
SEED=${SEED:-$RANDOM}
EXE=dist/windows/dstor-uploader.exe
MINGW_CC=${MINGW_CC:-x86_64-w64-mingw32-gcc}
[ -f "$EXE" ] || { echo "run make windows first" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)" >&2; exit 1; }

work=$(mktemp -d /tmp/dstor-wine-figures.XXXXXX)
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
WINE=$(command -v wine64 || true)
[ -n "$WINE" ] || WINE=/usr/lib/wine/wine64
WINESERVER=$(command -v wineserver || true)
[ -n "$WINESERVER" ] || WINESERVER=/usr/lib/wine/wineserver
sandbox=""
cleanup() {
	[ -z "$sandbox" ] || kill "$sandbox" 2>/dev/null || true
	"$WINESERVER" -k >/dev/null 2>&1 || true
	"$WINESERVER" -w >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$MINGW_CC" -shared -O2 -s -o "$work/bcryptprimitives.dll" build/windows/processprng.c -ladvapi32
"$WINE" wineboot -i >/dev/null 2>&1
"$WINESERVER" -w
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
cp "$EXE" "$work/app.exe"
$GO build -o "$work/linux" .
$GO build -o "$work/cidof" ./internal/cmd/cidof

winpath() { local p; p=$(realpath -m "$1"); echo "Z:${p//\//\\}"; }
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$work/linux" sandbox --listen 127.0.0.1:0 --api-key "$key" --data "$work/sandbox" >"$work/sandbox.out" 2>&1 &
sandbox=$!
for _ in $(seq 100); do grep -q '^API base:' "$work/sandbox.out" && break; sleep 0.1; done
base=$(sed -n 's/^API base: *//p' "$work/sandbox.out")
export DSTOR_API_KEY=$key

mkdir -p "$work/big" "$work/small"
head -c $((256 << 20)) /dev/urandom >"$work/big/file.bin"
for i in $(seq 500); do head -c 4096 /dev/urandom >"$work/small/f$i.bin"; done

# wine_cli HOME ARGS...: the Windows build from cmd.exe, its data in HOME.
wine_cli() {
	local home=$1
	shift
	DSTOR_UPLOADER_HOME=$(winpath "$home") "$WINE" cmd /c "$(winpath "$work/app.exe")" "$@" 2>&1 | tr -d '\r'
}
# timed NAME FILES CMD...: appends "NAME seconds" to the samples; all FILES
# files must end done and verified.
timed() {
	local name=$1 want=$2 t0 t1 ok
	shift 2
	t0=$(date +%s.%N)
	"$@" >"$work/last.out"
	t1=$(date +%s.%N)
	ok=$(grep -c '"state":"done".*"verified":true' "$work/last.out" || true)
	[ "$ok" = "$want" ] || { echo "$name: $ok of $want verified: $(head -c 400 "$work/last.out")" >&2; exit 1; }
	echo "$name $(echo "$t1 - $t0" | bc -l)" >>"$work/samples"
}
median() { awk -v n="$1" '$1 == n { print $2 }' "$work/samples" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "dStor Uploader — Windows build under $("$WINE" --version) — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
	timed big-wine 1 wine_cli "$work/h.w$r" upload --env "$base" --concurrency 4 --json "$(winpath "$work/big/file.bin")"
	timed big-linux 1 env DSTOR_UPLOADER_HOME="$work/h.l$r" "$work/linux" upload --env "$base" --concurrency 4 --json "$work/big/file.bin"
	timed small-wine 500 wine_cli "$work/s.w$r" upload --env "$base" --concurrency 4 --json "$(winpath "$work/small")"
	timed small-linux 500 env DSTOR_UPLOADER_HOME="$work/s.l$r" "$work/linux" upload --env "$base" --concurrency 4 --json "$work/small"
done
if [ "$RUNS" -gt 0 ]; then
	bw=$(median big-wine) bl=$(median big-linux) sw=$(median small-wine) sl=$(median small-linux)
	echo
	echo "| case | Windows build under Wine | Linux build | ratio |"
	echo "|---|---:|---:|---:|"
	printf '| 256 MiB upload, MB/s (CID verified) | %.0f | %.0f | %.2f |\n' "$(echo "268.435456 / $bw" | bc -l)" "$(echo "268.435456 / $bl" | bc -l)" "$(echo "$bl / $bw" | bc -l)"
	printf '| 500 × 4 KiB, files/s | %.0f | %.0f | %.2f |\n' "$(echo "500 / $sw" | bc -l)" "$(echo "500 / $sl" | bc -l)" "$(echo "$sl / $sw" | bc -l)"
fi

# Crash-kill rounds.
echo
echo "crash-kill: $ROUNDS rounds of $FILES files, seed $SEED"
RANDOM=$SEED
ok_once=0 ok_integrity=0 ok_resume=0 mid=0 early=0
for r in $(seq "$ROUNDS"); do
	dir=$work/crash$r
	home=$work/crash-home$r
	mkdir -p "$dir" "$home"
	# 16 bytes at least, so that no two files are alike.
	for i in $(seq "$FILES"); do head -c $((16 + RANDOM * 8 % (26214400 / FILES))) /dev/urandom >"$dir/f$i.bin"; done
	t0=$SECONDS
	DSTOR_UPLOADER_HOME=$(winpath "$home") "$WINE" "$work/app.exe" upload --env "$base" --concurrency 3 "$(winpath "$dir")" >/dev/null 2>&1 &
	pid=$!
	# A random point in the queue: once the first job row is saved (the
	# Windows process takes seconds to start under Wine) and then target
	# files are in the history (a time after the start would miss the run
	# when the machine is idle and the 100 files take a second).
	rows() { sqlite3 "file:$home/dstor-uploader.db?mode=ro" "SELECT count(*) FROM $1" 2>/dev/null || echo 0; }
	target=$(((RANDOM * 32768 + RANDOM) % FILES))
	while [ $((SECONDS - t0)) -lt 3600 ]; do # a hang guard
		[ "$(rows jobs)" -gt 0 ] && [ "$(rows history)" -ge "$target" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	at=$(rows history) killed_after=$((SECONDS - t0))
	if kill -9 "$pid" 2>/dev/null; then mid=$((mid + 1)); fi
	wait "$pid" 2>/dev/null || true
	db=$home/dstor-uploader.db
	if [ ! -e "$db" ] || [ "$(sqlite3 "file:$db?mode=ro" 'PRAGMA integrity_check' 2>&1)" = ok ]; then
		ok_integrity=$((ok_integrity + 1))
	fi
	if wine_cli "$home" resume --env "$base" --json >"$work/resume.out" &&
		! grep -q '"state":"failed"' "$work/resume.out"; then
		ok_resume=$((ok_resume + 1))
	fi
	hist=$(wine_cli "$home" history --json --limit 0)
	if ! grep -q '"hash"' <<<"$hist"; then
		# Killed before the folder was saved: nothing to resume, so it is
		# added again, as a person would.
		early=$((early + 1))
		wine_cli "$home" upload --env "$base" --json "$(winpath "$dir")" >/dev/null || true
		hist=$(wine_cli "$home" history --json --limit 0)
	fi
	# The CIDs computed here, and how often each is in the history.
	find "$dir" -name '*.bin' -print0 | xargs -0 "$work/cidof" | sort >"$work/want"
	{ grep -o '"hash": *"[^"]*"' <<<"$hist" || true; } | sed 's/.*"\([^"]*\)"$/\1/' | sort | uniq -c >"$work/got"
	good=$(awk '$1 == 1 { print $2 }' "$work/got" | comm -12 - "$work/want" | wc -l)
	dups=$(awk '$1 > 1' "$work/got" | wc -l)
	extra=$(awk '{ print $2 }' "$work/got" | comm -23 - "$work/want" | wc -l)
	[ "$good" = "$FILES" ] && [ "$dups" = 0 ] && [ "$extra" = 0 ] && ok_once=$((ok_once + 1))
	echo "round $r: killed after ${killed_after} s with $at files in the history (target $target); $good/$FILES files in the history exactly once with their CID, $dups CIDs more than once, $extra not of the folder ($((SECONDS - t0)) s in all)"
done
echo
echo "| what | tried | survived |"
echo "|---|---|---|"
echo "| Windows CLI \`upload\` of a $FILES-file folder under Wine, SIGKILL of its process once a random number (0–$((FILES - 1))) of its files were in the history, then \`resume\` | $ROUNDS kills ($mid while running; $early before the folder was saved, then added again) | database clean after $ok_integrity/$ROUNDS kills; \`resume\` ended without a failed file $ok_resume/$ROUNDS; every file in the history exactly once with its CID in $ok_once/$ROUNDS rounds |"
