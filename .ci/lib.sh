# lib.sh — what the .ci scripts that measure against a sandbox share.
# Sourced, not run. The sourcing script sets CI_NAME (how its error lines
# begin) and calls start_work (which sets WORK, its temporary folder)
# before calling the others.

log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$CI_NAME: $*"; exit 1; }

# start_work PREFIX KEEP sets WORK to a new temporary folder named after
# PREFIX, removed when the script exits (after stop_sandbox) unless KEEP is
# 1, when its path is logged instead.
start_work() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	WORK_KEEP=$2
	trap end_work EXIT
}
end_work() {
	stop_sandbox
	if [ "$WORK_KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}

# use_cli GIVEN sets BIN, the CLI to run: GIVEN, or when that is empty one
# built from this checkout into $WORK.
use_cli() {
	BIN=${1:-$WORK/dstor-uploader}
	if [ -z "$1" ]; then build_cli "$BIN"; fi
}

# build_cli DEST builds the CLI from this checkout and installs (copies) it
# at DEST, as a package or a download would put it: a file just written by
# Go's linker sits in the page cache in large folios, and Linux maps a whole
# folio into a process on the first touch, which made the very same binary
# show ~12 MiB more RSS when run straight from `go build` than from a copy.
build_cli() {
	log "building the CLI"
	${GO:-go} build -o "$WORK/build.out" .
	install -m 0755 "$WORK/build.out" "$1"
	rm -f "$WORK/build.out"
}

# make_small_files DIR N SIZE: N files of SIZE random bytes in DIR, in
# sub-folders of 1,000 (d0000, d0001, …), as a photo library or a backup
# folder holds them.
make_small_files() {
	local dir=$1 n=$2 size=$3 i=0 k sub
	while [ "$i" -lt "$n" ]; do
		k=$((n - i < 1000 ? n - i : 1000))
		sub=$dir/$(printf 'd%04d' $((i / 1000)))
		mkdir -p "$sub"
		head -c $((k * size)) /dev/urandom | (cd "$sub" && split -b "$size" -a 4 -d - f)
		i=$((i + k))
	done
}

# sandbox_store PREFIX NEED_KIB prints the folder for the sandbox's store: a
# new one /dev/shm/PREFIX.XXXXXX when that tmpfs has NEED_KIB free, so the
# server's disk does not take the CPU the clients are measured on, else
# $WORK/sandbox.
sandbox_store() {
	local prefix=$1 need_kib=$2
	if [ -d /dev/shm ] && [ -w /dev/shm ] &&
		[ "$(df -k --output=avail /dev/shm 2>/dev/null | tail -1 | tr -d ' ')" -gt "$need_kib" ] 2>/dev/null; then
		mktemp -d "/dev/shm/$prefix.XXXXXX"
	else
		mkdir -p "$WORK/sandbox"
		echo "$WORK/sandbox"
	fi
}

# start_sandbox BIN STORE starts BIN's sandbox on 127.0.0.1 with a new
# random API key and its store in STORE (its output in $WORK/sandbox.out
# and .err). It sets KEY, BASE (the API base it printed) and SANDBOX_PID,
# and dies when the sandbox has not started within 10 s or is not on
# loopback.
SANDBOX_PID=""
SANDBOX_STORE=""
start_sandbox() {
	local bin=$1
	SANDBOX_STORE=$2
	KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') # 64 hex digits
	# The files exist before the wait reads them: the background job opens
	# them only once it is scheduled, and a failed read ends a `set -e` script.
	: >"$WORK/sandbox.out"
	: >"$WORK/sandbox.err"
	"$bin" sandbox --listen 127.0.0.1:0 --api-key "$KEY" --data "$SANDBOX_STORE" >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
	SANDBOX_PID=$!
	BASE=""
	for _ in $(seq 100); do
		BASE=$(sed -n 's/^API base: //p' "$WORK/sandbox.out")
		[ -n "$BASE" ] && break
		sleep 0.1
	done
	[ -n "$BASE" ] || die "the sandbox did not start: $(cat "$WORK/sandbox.err")"
	case "$BASE" in http://127.0.0.1:*) ;; *) die "the sandbox is not on loopback: $BASE" ;; esac
}

# check_sandbox dies when the sandbox has logged a panic or a data race.
check_sandbox() {
	if grep -qiE 'panic|data race' "$WORK/sandbox.err"; then die "the sandbox logged a panic: $WORK/sandbox.err"; fi
}

# stop_sandbox ends the sandbox start_sandbox started (if any) and removes
# its store when it made one under /dev/shm; end_work calls it at exit.
stop_sandbox() {
	if [ -n "$SANDBOX_PID" ]; then kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; fi
	case "$SANDBOX_STORE" in /dev/shm/dstor-*-sandbox.*) rm -rf "$SANDBOX_STORE" ;; esac
}

# thread_ns PID WHICH: CPU time in ns of the process's UI thread (ui: its
# main thread, which runs Fyne's event loop and the OpenGL calls) or of
# Mesa's llvmpipe rasterizer threads (raster), from each thread's schedstat.
# The window scripts copy it into the scripts they run under Xvfb
# (declare -f).
thread_ns() {
	local pid=$1 which=$2 sum=0 t comm ns
	for t in /proc/"$pid"/task/*; do
		comm=$(cat "$t/comm" 2>/dev/null) || continue
		case $which in
		ui) [ "${t##*/}" = "$pid" ] || continue ;;
		raster) [[ $comm == llvmpipe-* ]] || continue ;;
		esac
		ns=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null) || continue
		sum=$((sum + ns))
	done
	echo "$sum"
}
