#!/usr/bin/env bash
# make test-windows: the Windows test binaries of the packages that need no
# display, cross-compiled with Go (and mingw-w64 where cgo is needed), run
# under Wine in a throw-away prefix. Prints one line per package and a
# closing "N passed, N failed, N skipped"; exits non-zero when a test fails.
#
# Environment (the Makefile sets the first four): WIN_PKGS (pure-Go packages),
# WIN_CGO_PKGS (packages whose tests link cgo, built with mingw-w64),
# WIN_SETUP (the installer to check with .ci/test-windows-exe.sh; empty: no
# such check), WIN_SHOT (where that check saves its screenshot), GO (go),
# WIN_KEEP (a folder to keep the test logs in), WIN_RUN (a -test.run pattern:
# only the tests it matches; empty: all), WIN_PKG_RUN (PKG=PATTERN words: the
# pattern for that package instead of WIN_RUN), WIN_SHORT (packages run with
# -test.short: their long tests skip, each with its reason), WIN_TIMEOUT
# (minutes each package may take; 20 unless set).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
WIN_PKGS=${WIN_PKGS:-}
WIN_CGO_PKGS=${WIN_CGO_PKGS:-}
[ -n "$WIN_PKGS$WIN_CGO_PKGS" ] || { echo "no packages: run make test-windows" >&2; exit 2; }
MINGW_CC=${MINGW_CC:-x86_64-w64-mingw32-gcc}
WIN_TIMEOUT=${WIN_TIMEOUT:-20}

began=$SECONDS
work=$(mktemp -d /tmp/dstor-wine.XXXXXX)
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko install prompts, and no menu entries on this machine for
# the shortcuts the installer makes (winemenubuilder).
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
# Debian installs the 64-bit loader outside PATH when wine32 is absent.
WINE=$(command -v wine64 || true)
[ -n "$WINE" ] || WINE=/usr/lib/wine/wine64
WINESERVER=$(command -v wineserver || true)
[ -n "$WINESERVER" ] || WINESERVER=/usr/lib/wine/wineserver

cleanup() {
	"$WINESERVER" -k >/dev/null 2>&1 || true
	"$WINESERVER" -w >/dev/null 2>&1 || true
	for d in "$work"/drive-*; do
		if mountpoint -q "$d"; then umount "$d" || echo "could not unmount $d" >&2; fi
	done
	if [ -n "${WIN_KEEP:-}" ]; then mkdir -p "$WIN_KEEP" && cp "$work"/*.log "$WIN_KEEP"/ 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM # so that the EXIT trap cleans up

# The prefix, and Go's missing ProcessPrng (Wine 8 has no bcryptprimitives.dll).
"$MINGW_CC" -shared -O2 -s -o "$work/bcryptprimitives.dll" build/windows/processprng.c -ladvapi32
"$WINE" wineboot -i >/dev/null 2>&1
"$WINESERVER" -w
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
# One wineserver for every package's run, kept until cleanup (-k): by
# default it exits 3 s after its last program, and a package started as it
# exits (the go list between two runs takes that long on a busy machine)
# fails with "wine client error:0: recvmsg: Connection reset by peer" and
# no test run (seen in CI on 2026-12-06, ./internal/linkchain).
"$WINESERVER" -p

# Small drives for the full-disk tests (internal/testfs.SmallDisk): Windows
# has no tmpfs, so tmpfs mounts of the sizes they ask for are mapped as
# drives. Mounting takes root; without it those tests skip and say so.
export DSTOR_SMALL_DRIVES=
if [ "$(id -u)" = 0 ]; then
	for spec in s:524288 t:1048576 u:2097152 v:16777216; do
		d=$work/drive-${spec%%:*}
		mkdir "$d"
		mount -t tmpfs -o "size=${spec#*:},mode=0700" tmpfs "$d"
		ln -s "$d" "$WINEPREFIX/dosdevices/${spec%%:*}:"
		DSTOR_SMALL_DRIVES="$DSTOR_SMALL_DRIVES ${spec%%:*}:=${spec#*:}"
	done
fi

# Each package's test build gets build/windows/wine_test.go.in laid over it.
overlay=$work/overlay.json
{
	printf '{"Replace":{'
	sep=""
	for p in $WIN_PKGS $WIN_CGO_PKGS; do
		read -r name dir < <($GO list -f '{{.Name}} {{.Dir}}' "$p")
		f=$work/overlay-$(echo "$p" | tr -c 'a-zA-Z0-9\n' _).go
		sed "s/^package PACKAGE$/package $name/" build/windows/wine_test.go.in >"$f"
		printf '%s"%s":"%s"' "$sep" "$dir/zz_wine_windows_test.go" "$f"
		sep=","
	done
	printf '}}\n'
} >"$overlay"

build() { # build CGO_ENABLED PKG...
	local cgo=$1
	shift
	[ $# -gt 0 ] || return 0
	GOOS=windows GOARCH=amd64 CGO_ENABLED=$cgo CC=$MINGW_CC \
		$GO test -c -overlay "$overlay" -ldflags=-checklinkname=0 -o "$work/bin/" "$@"
}
mkdir -p "$work/bin"
start=$SECONDS
# shellcheck disable=SC2086
build 0 $WIN_PKGS
# shellcheck disable=SC2086
build 1 $WIN_CGO_PKGS
echo "cross-compiled the test binaries in $((SECONDS - start)) s"

# failedOutput LOG prints, for each test that failed in LOG (a -test.v
# log), the lines it printed: those after its "=== RUN", "=== CONT" or
# "=== NAME" line, up to the next such line of another test, the last 30.
failedOutput() {
	awk '/^=== (RUN|NAME|CONT) / { cur = $3; next }
		/^ *--- FAIL: / { failed[$3] = 1; order[++n] = $3; next }
		/^ *--- (PASS|SKIP): / || /^=== PAUSE / || /^(PASS|FAIL)$/ { next }
		cur != "" { k = ++count[cur]; out[cur, k] = $0 }
		END {
			for (i = 1; i <= n; i++) {
				name = order[i]
				if (count[name] == 0) continue
				print "(output of " name ")"
				from = count[name] > 30 ? count[name] - 29 : 1
				for (k = from; k <= count[name]; k++) print out[name, k]
			}
		}' "$1"
}

passed=0 failed=0 skipped=0 status=0
printf '%-30s %6s %6s %6s %6s\n' package passed failed skipped seconds
for p in $WIN_PKGS $WIN_CGO_PKGS; do
	read -r name dir < <($GO list -f '{{.Name}} {{.Dir}}' "$p")
	bin=$work/bin/$(basename "$($GO list "$p")").test.exe
	log=$work/$(echo "$p" | tr -c 'a-zA-Z0-9\n' _).log
	run=${WIN_RUN:-}
	for spec in ${WIN_PKG_RUN:-}; do
		[ "${spec%%=*}" != "$p" ] || run=${spec#*=}
	done
	short=
	for s in ${WIN_SHORT:-}; do
		[ "$s" != "$p" ] || short=-test.short
	done
	t0=$SECONDS
	# go test runs a test binary in its package's folder (Wine's Z: drive).
	runbin() {
		(cd "$dir" && DSTOR_REQUIRE_KEYRING=1 timeout $((WIN_TIMEOUT * 60 + 300)) "$WINE" "$bin" -test.v -test.count=1 -test.timeout=${WIN_TIMEOUT}m $short ${run:+-test.run "$run"}) >"$log" 2>&1
	}
	rc=0
	runbin || rc=$?
	if [ "$rc" != 0 ] && [ ! -s "$log" ]; then
		# Wine ended without a byte from the binary (seen once in CI, for
		# a package whose tests pass): the binary never ran, so it is run
		# once more; a failure of its tests always writes its output.
		echo "    ($p: Wine exited $rc before the test binary wrote anything; run again)"
		rc=0
		runbin || rc=$?
	fi
	[ "$rc" = 0 ] || status=1
	# Top-level results only: subtests are indented.
	np=$(grep -c '^--- PASS' "$log" || true)
	nf=$(grep -c '^--- FAIL' "$log" || true)
	ns=$(grep -c '^--- SKIP' "$log" || true)
	if ! tail -n 3 "$log" | grep -q '^PASS$'; then
		status=1
		[ "$nf" -gt 0 ] || nf=1 # a crash or a timeout: no --- FAIL line
	fi
	printf '%-30s %6d %6d %6d %6d\n' "$p" "$np" "$nf" "$ns" "$((SECONDS - t0))"
	passed=$((passed + np)) failed=$((failed + nf)) skipped=$((skipped + ns))
	if [ "$nf" -gt 0 ]; then
		# A crash or a timeout has no such line: grep's "no match" must not
		# end the script (pipefail, set -e) before the log's tail is shown.
		{ grep -E '^(--- FAIL|panic:|FAIL)' "$log" || true; } | head -20 | sed 's/^/    /'
		# What each failed test printed (its own lines of the -test.v
		# log, the last 30 of each): the message that says why.
		failedOutput "$log" | head -200 | sed 's/^/    /'
		echo "    (log: tail of $p)"
		tail -n 15 "$log" | sed 's/^/    /'
	fi
done
echo "skipped on Windows (top-level tests and subtests, with the reason):"
# A test's log lines follow its "=== RUN" (or "=== CONT") line; the last one
# before "--- SKIP" is the reason t.Skip gave.
awk '/^=== (RUN|NAME|CONT) / { cur = $3; next }
	/^ +[^ ]+\.go:[0-9]+: / { if (cur != "") { m = $0; sub(/^ +[^ ]+\.go:[0-9]+: /, "", m); msg[cur] = m }; next }
	/^ *--- SKIP: / { print "    " $3 ": " msg[$3] }' "$work"/*.log | sort -u

if [ -n "${WIN_SETUP:-}" ]; then
	# The installed-app checks use a display of their own: nothing of the
	# tests' Wine (its desktop process keeps the display it started on) may
	# be left running.
	"$WINESERVER" -k >/dev/null 2>&1 || true
	"$WINESERVER" -w
	GO=$GO .ci/test-windows-exe.sh "$WIN_SETUP" "$WINE" "$WINESERVER" "$work/exe" "${WIN_SHOT:-$work/window.png}" || status=1
fi
echo "windows: $passed passed, $failed failed, $skipped skipped, in $((SECONDS - began)) s (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
