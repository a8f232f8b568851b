#!/usr/bin/env bash
# Part of make test-windows (called by .ci/test-windows.sh, inside its Wine
# prefix): the real Windows app, as a person gets it.
#  1. dstor-uploader-setup.exe /S installs it for this user (Start menu entry,
#     Send to, Open with).
#  2. The Start menu entry, opened with Wine's `start` as a click would, opens
#     the app's window (its sign-in screen) under Xvfb; a screenshot of it
#     is saved beside SCREENSHOT_PNG.
#     An installed .exe whose data folder cannot be made shows why in a
#     message box (screenshot saved beside SCREENSHOT_PNG).
#  3. The installed .exe opens its window under Xvfb, signed in to the Local
#     sandbox, with a file on its command line and its data in the (throw-
#     away) prefix's %LOCALAPPDATA%\dStor Uploader; `history --json` (the
#     same .exe from cmd.exe) must list the file with its CID, and a
#     screenshot of the window is saved. Then the Send to entry and the
#     registered Open with command each hand the running window one more
#     file, which must reach the history too; the installer, run again
#     meanwhile, stops with exit status 2.
#  4. From cmd.exe: `dstor-uploader.exe sandbox` in the background and
#     `dstor-uploader.exe upload` against it print the file's CID.
#  5. The uninstaller (/S) removes the app and keeps the history; installed
#     again, `uninstall.exe /S /PURGE` removes the history too.
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
cpath() { local p=${1#"$drive_c"}; echo "C:${p//\//\\}"; } # a path in the prefix's C: drive
user_dir=$(ls -d "$drive_c"/users/*/AppData/Local 2>/dev/null | grep -v /Public/ | head -n1)
[ -n "$user_dir" ] || { echo "no user profile in the Wine prefix" >&2; exit 1; }
profile=$(dirname "$(dirname "$user_dir")")
app_dir="$user_dir/Programs/dStor Uploader"
exe="$app_dir/dstor-uploader.exe"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_all EXIT
trap 'exit 1' INT TERM # so that the EXIT trap cleans up

# The files to upload (on the command line, through Send to, through Open
# with), and their CIDs computed here (Linux) for comparison.
unset DSTOR_UPLOADER_HOME XDG_DATA_HOME
mkdir -p "$work/files"
file=$work/files/upload-from-wine.bin sent=$work/files/sent-to.bin opened=$work/files/opened-with.bin
head -c 700000 /dev/urandom >"$file"
head -c 300000 /dev/urandom >"$sent"
head -c 200000 /dev/urandom >"$opened"
{ read -r want; read -r want_sent; read -r want_opened; } < <($GO run ./internal/cmd/cidof "$file" "$sent" "$opened")
# in_history CID: whether `history --json` (from cmd.exe) lists the CID.
in_history() {
	"$wine" cmd /c "$(winpath "$exe")" history --json 2>/dev/null | tr -d '\r' | grep -q "\"hash\": *\"$1\""
}
# wait_history CID PID: waits until the history lists CID, while PID runs.
wait_history() {
	for _ in $(seq 90); do
		in_history "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 2
	done
	return 1
}
# app_window: the id of the app's top-level window on this display (its
# title, and the .exe's name as its class, as Wine sets them) once it is
# shown; fails while there is none or it is not mapped.
app_window() {
	local id
	id=$(xwininfo -root -children 2>/dev/null | sed -n 's/^ *\(0x[0-9a-f]*\) "dStor Uploader": ("dstor-uploader.exe".*/\1/p' | head -n1)
	[ -n "$id" ] && xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' && echo "$id"
}
# drawn ID PNG: saves a screenshot of window ID alone and says whether it
# drew more than a blank (more than 20 colours).
drawn() {
	import -window "$1" "$2" 2>/dev/null &&
		[ "$(/usr/bin/convert "$2" -format '%k' info:)" -gt 20 ]
}

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
# What Explorer reads from the .exe itself: the GUI subsystem (no console
# window on a double-click), and among its resources (types 14, 16 and 24)
# the icon, the version information from FyneApp.toml and the manifest that
# makes it per-monitor DPI aware.
pe=$(x86_64-w64-mingw32-objdump -p "$exe" 2>/dev/null || true)
resource() { grep -q "^0[0-9a-f]*   Entry: ID: 0x0000$1," <<<"$pe"; } # a type in the resource tree
check "the installed .exe is a GUI-subsystem program" grep -q 'Subsystem.*(Windows GUI)' <<<"$pe"
check "its resources hold the icon, the version information and the manifest" \
	eval 'resource 0e && resource 10 && resource 18'
version=$(sed -n 's/^Version *= *"\(.*\)"$/\1/p' FyneApp.toml)
check "its version information says version $version (FyneApp.toml)" \
	eval "strings -el '$exe' | grep -qx '$version'"
check "its manifest asks for per-monitor DPI awareness" grep -aq '<dpiAwareness[^>]*>PerMonitorV2' "$exe"
sendto="$profile/AppData/Roaming/Microsoft/Windows/SendTo/dStor Uploader.lnk"
check "installer made the Send to entry" test -f "$sendto"
open_with=$("$wine" reg query 'HKCU\Software\Classes\Applications\dstor-uploader.exe\shell\open\command' /ve 2>/dev/null |
	tr -d '\r' | sed -n 's/^ *(Default) *REG_SZ *//p')
check "installer registered Open with: \"<installed .exe>\" \"%1\"" test "$open_with" = "\"$(cpath "$exe")\" \"%1\""

# The Start menu entry, opened as a click opens it: Wine's `start` runs the
# shortcut's target. Nothing of the app runs yet in this prefix, so a window
# of the app on this display is one the shortcut started.
"$wine" start /unix "$lnk" >"$work/start-menu.log" 2>&1 || true
win_id=""
for _ in $(seq 120); do win_id=$(app_window) && break; sleep 1; done
check "the Start menu entry opened the app's window" test -n "$win_id"
start_shot=$(dirname "$shot")/start-menu-under-wine.png
mkdir -p "$(dirname "$shot")"
painted=false
for _ in $(seq 30); do [ -n "$win_id" ] && drawn "$win_id" "$start_shot" && { painted=true; break; }; sleep 1; done
check "the window opened from the Start menu drew its sign-in screen ($start_shot)" $painted
"$wineserver" -k # the window, and everything else of this prefix
"$wineserver" -w

# A window that cannot start says why where a person who double-clicked it
# looks: its data folder here is a file. Its sentence goes to stderr, and
# the only window it can show after that is the message box.
: >"$work/not-a-folder"
DSTOR_UPLOADER_HOME=$(winpath "$work/not-a-folder") "$wine" "$exe" >"$work/start-error.log" 2>&1 &
broken=$!
pids+=("$broken")
box_id=""
for _ in $(seq 120); do
	box_id=$(app_window) && break
	kill -0 "$broken" 2>/dev/null || break
	sleep 1
done
check "a window that cannot start said why on stderr" grep -q 'is a file, not a folder' "$work/start-error.log"
check "and nothing else (not its window lock)" test "$(grep -c . "$work/start-error.log")" = 1
box_shot=$(dirname "$shot")/start-error-under-wine.png
painted=false
for _ in $(seq 30); do [ -n "$box_id" ] && drawn "$box_id" "$box_shot" && { painted=true; break; }; sleep 1; done
check "and showed it in a message box ($box_shot)" $painted
"$wineserver" -k
"$wineserver" -w
wait "$broken" 2>/dev/null || true

"$wine" "$exe" --env sandbox "$(winpath "$file")" >"$work/window.log" 2>&1 &
window=$!
pids+=("$window")
check "the window uploaded the file: history --json lists its CID $want" wait_history "$want" "$window"
check "the data is in %LOCALAPPDATA%\\dStor Uploader" test -s "$user_dir/dStor Uploader/dstor-uploader.db"
sleep 2 # the row's last repaint
import -window root -crop 1000x720+0+0 +repage "$shot"
check "screenshot of the window saved in $shot" test -s "$shot"
# Send to starts the shortcut's target with the files as arguments; that
# second launch hands them to the running window, which uploads them.
"$wine" start /unix "$sendto" "$(winpath "$sent")" >"$work/send-to.log" 2>&1 || true
check "Send to handed a file to the window: history lists its CID $want_sent" wait_history "$want_sent" "$window"
# Open with runs the registered command with the file for %1 (here from a
# batch file, so that cmd.exe parses its quotes as Explorer would give them).
printf '%s\r\n' "${open_with//%1/$(winpath "$opened")}" >"$work/open-with.bat"
"$wine" cmd /c "$(winpath "$work/open-with.bat")" >"$work/open-with.log" 2>&1 || true
check "Open with's command handed a file to the window: history lists its CID $want_opened" wait_history "$want_opened" "$window"
# While the app runs its .exe cannot be replaced: the installer stops
# (exit status 2) instead of keeping the old version and saying it worked.
setup_status=0
"$wine" "$setup" /S >/dev/null 2>&1 || setup_status=$?
check "installer /S while the app runs stops with exit status 2" test "$setup_status" = 2
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
"$wine" "$setup" /S >/dev/null 2>&1
"$wineserver" -w
"$wine" "$app_dir/uninstall.exe" /S /PURGE >/dev/null 2>&1
"$wineserver" -w
for _ in $(seq 50); do [ -e "$user_dir/dStor Uploader" ] || break; sleep 0.2; done
check "installed again, uninstaller /S /PURGE removed the history too" test ! -e "$user_dir/dStor Uploader"

echo "exe under Wine: $passed passed, $failed failed"
[ "$failed" = 0 ]
