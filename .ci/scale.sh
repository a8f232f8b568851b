#!/usr/bin/env bash
# scale.sh — how the CLI's cost grows with the number of files, for
# `make bench` (which runs it) or on its own.
#
# For each size in SCALE_SIZES it makes a folder of that many 4 KiB files
# in sub-folders of 1,000, uploads it with one CLI run (concurrency 4,
# --json) to a sandbox of its own on 127.0.0.1 (storing on /dev/shm when
# there is room), checks that every file ended done and verified, and
# prints one line per size:
#
#   scale FILES WALL_S FILES_PER_S PEAK_RSS_KIB
#
# from /usr/bin/time -v of the CLI process.
#
#   SCALE_SIZES="2000 20000 100000"   the sizes (default)
#   SCALE_BIN=path                    the CLI to run (default: built here)
#   SCALE_PROFILE=dir                 also write --debug-profile into dir/FILES
#   SCALE_KEEP=1                      keep the temporary folder
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
SIZES=${SCALE_SIZES:-2000 20000 100000}
CONCURRENCY=4
SIZE=4096

CI_NAME=scale
# shellcheck source=.ci/lib.sh
. .ci/lib.sh
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package \"time\")"

start_work dstor-scale "${SCALE_KEEP:-0}"
use_cli "${SCALE_BIN:-}"

max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
need_kib=$((max * 3 * SIZE / 1024 + 262144)) # the files at most twice over, and room
SANDBOX_DATA=$(sandbox_store dstor-scale-sandbox "$need_kib")
start_sandbox "$BIN" "$SANDBOX_DATA"

for n in $SIZES; do
	data=$WORK/data-$n
	log "making $n x $SIZE B in $data"
	make_small_files "$data" "$n" "$SIZE"
	home=$WORK/home-$n
	prof=()
	if [ -n "${SCALE_PROFILE:-}" ]; then prof=(--debug-profile "$SCALE_PROFILE/$n"); fi
	log "uploading $n files"
	if ! DSTOR_API_KEY="$KEY" DSTOR_UPLOADER_HOME="$home" /usr/bin/time -v -o "$WORK/time-$n" \
		"$BIN" upload --env "$BASE" --concurrency "$CONCURRENCY" --json "${prof[@]}" "$data" >"$WORK/out-$n" 2>"$WORK/err-$n"; then
		die "the upload of $n files failed: $(tail -5 "$WORK/err-$n")"
	fi
	ok=$(grep -c '"state":"done".*"verified":true' "$WORK/out-$n" || true)
	[ "$ok" = "$n" ] || die "$ok of $n files done and verified: $(tail -3 "$WORK/err-$n")"
	awk -v n="$n" '
		/Elapsed \(wall clock\)/ { k = split($NF, p, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + p[i] }
		/Maximum resident set size/ { m = $NF }
		END { printf "scale %d %.2f %.0f %d\n", n, w, n / w, m }' "$WORK/time-$n"
	rm -rf "$data" "$home"
done
check_sandbox
