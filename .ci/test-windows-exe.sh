#!/usr/bin/env bash
# Part of make test-windows (called by .ci/test-windows.sh, inside its Wine
# prefix): the real Windows app, as a person gets it.
#  1. dstor-uploader-setup.exe /S installs it for this user (Start menu entry,
#     Send to, Open with).
#  2. The installed .exe opens its window under Xvfb, signed in to the Local
#     sandbox, with a file on its command line and its data in the (throw-
#     away) prefix's %LOCALAPPDATA%\dStor Uploader; `history --json` (the
#     same .exe from cmd.exe) must list the file with its CID, and a
#     screenshot of the window is saved.
#  3. From cmd.exe: `dstor-uploader.exe sandbox` in the background and
#     `dstor-uploader.exe upload` against it print the file's CID.
#  4. The uninstaller (/S) removes the app and keeps the history.
# Arguments: SETUP_EXE WINE WINESERVER WORK_DIR SCREENSHOT_PNG
# Prints "N passed, N failed" for its checks; exits non-zero on a failure.
set -euo pipefail
setup=$(realpath "$1") wine=$2 wineserver=$3 work=$4 shot=$5
GO=${GO:-go}
cd "$(dirname "$0")/.."

passed=0 failed=0
check() { # check DESCRIPTION COMMAND...: one check, said as it goes
	if "${@:2}"; then
		passed=$((passed + 1)); echo "  ok    $1"
	else
		failed=$((failed + 1)); echo "  FAIL  $1"
	fi
}
winpath() { local p; p=$(realpath -m "$1"); echo "Z:${p//\//\\}"; }
drive_c=$WINEPREFIX/drive_c
user_dir=$(ls -d "$drive_c"/users/*/AppData/Local 2>/dev/null | grep -v /Public/ | head -n1)
[ -n "$user_dir" ] || { echo "no user profile in the Wine prefix" >&2; exit 1; }
profile=$(dirname "$(dirname "$user_dir")")
app_dir="$user_dir/Programs/dStor Uploader"
exe="$app_dir/dstor-uploader.exe"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_all EXIT
trap 'exit 1' INT TERM # so that the EXIT trap cleans up

# The file to upload, and its CID computed here (Linux) for comparison.
unset DSTOR_UPLOADER_HOME XDG_DATA_HOME
mkdir -p "$work/files"
file=$work/files/upload-from-wine.bin
head -c 700000 /dev/urandom >"$file"
want=$($GO run ./internal/cmd/cidof "$file")

# A display of our own, for every Wine program from here on: Wine's desktop
# process keeps the display it was first started with.
display=""
for n in $(seq 90 140); do
	[ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ] || { display=:$n; break; }
done
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DISPLAY=$display

echo "installer and window under Wine:"
"$wine" "$setup" /S >/dev/null 2>&1
"$wineserver" -w
check "installer /S put the app in %LOCALAPPDATA%\\Programs\\dStor Uploader" test -f "$exe"
lnk="$profile/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/dStor Uploader.lnk"
check "installer made the Start menu entry" test -f "$lnk"
# The shortcut's link target (LinkInfo's local base path, in ANSI) is the
# installed .exe, which is what the checks below start.
check "the Start menu entry points at the installed dstor-uploader.exe" \
	grep -a -q 'Programs\\dStor Uploader\\dstor-uploader\.exe' "$lnk"
check "installer made the Send to entry" test -f "$profile/AppData/Roaming/Microsoft/Windows/SendTo/dStor Uploader.lnk"
check "installer registered Open with" bash -c "'$wine' reg query 'HKCU\\Software\\Classes\\Applications\\dstor-uploader.exe\\shell\\open\\command' 2>/dev/null | grep -q dstor-uploader.exe"

"$wine" "$exe" --env sandbox "$(winpath "$file")" >"$work/window.log" 2>&1 &
window=$!
pids+=("$window")
got=""
for _ in $(seq 90); do
	got=$("$wine" cmd /c "$(winpath "$exe")" history --json 2>/dev/null |
		tr -d '\r' | grep -o "\"hash\": *\"$want\"" || true)
	[ -n "$got" ] && break
	kill -0 "$window" 2>/dev/null || break
	sleep 2
done
check "the window uploaded the file: history --json lists its CID $want" test -n "$got"
check "the data is in %LOCALAPPDATA%\\dStor Uploader" test -s "$user_dir/dStor Uploader/dstor-uploader.db"
mkdir -p "$(dirname "$shot")"
sleep 2 # the row's last repaint
import -window root -crop 1000x720+0+0 +repage "$shot"
check "screenshot of the window saved in $shot" test -s "$shot"
kill "$window" 2>/dev/null || true
wait "$window" 2>/dev/null || true

echo "command line from cmd.exe under Wine:"
DSTOR_UPLOADER_HOME=$(winpath "$work/sandbox-home") "$wine" "$exe" sandbox --listen 127.0.0.1:0 >"$work/sandbox.log" 2>&1 &
sandbox=$!
pids+=("$sandbox")
for _ in $(seq 100); do grep -q '^API key:' "$work/sandbox.log" 2>/dev/null && break; sleep 0.2; done
base=$(sed -n 's/^API base: *//p' "$work/sandbox.log" | tr -d '\r')
key=$(sed -n 's/^API key: *//p' "$work/sandbox.log" | tr -d '\r')
out=$(DSTOR_API_KEY=$key DSTOR_UPLOADER_HOME=$(winpath "$work/cli-home") \
	"$wine" cmd /c "$(winpath "$exe")" upload --env "$base" "$(winpath "$file")" 2>&1 | tr -d '\r' || true)
check "cmd.exe: dstor-uploader.exe upload printed the file's CID" grep -q "^$want " <<<"$out"
kill "$sandbox" 2>/dev/null || true
wait "$sandbox" 2>/dev/null || true

echo "uninstaller under Wine:"
"$wine" "$app_dir/uninstall.exe" /S >/dev/null 2>&1
"$wineserver" -w
for _ in $(seq 50); do [ -e "$exe" ] || break; sleep 0.2; done # it runs from a copy of itself
check "uninstaller /S removed the app" test ! -e "$exe"
check "uninstaller /S kept the history" test -s "$user_dir/dStor Uploader/dstor-uploader.db"

echo "exe under Wine: $passed passed, $failed failed"
[ "$failed" = 0 ]
