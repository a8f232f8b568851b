#!/usr/bin/env bash
# A real X drag-and-drop onto the real window: a small GTK application (the
# drag source, as a file manager would be) drags a file and a folder onto
# dstor-uploader under Xvfb, with xdotool moving the mouse. Passes when both
# land in the history, verified. Run by `make dnd-check`.
set -euo pipefail
bin=$(realpath "${1:-./dstor-uploader}")
tmp=$(mktemp -d)
display=:93
Xvfb $display -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
cleanup() { kill "$app" "$src" "$xvfb" 2>/dev/null || true; rm -rf "$tmp"; }
app=; src=
trap cleanup EXIT
export DISPLAY=$display LANG=C.UTF-8
sleep 1

mkdir -p "$tmp/files/dropped folder"
head -c 12345 /dev/urandom >"$tmp/files/dropped file.bin"
head -c 777 /dev/urandom >"$tmp/files/dropped folder/inner.txt"
cat >"$tmp/dragsrc.py" <<'PY'
import sys, gi
gi.require_version('Gtk', '3.0')
from gi.repository import Gtk, Gdk, GLib
uris = [GLib.filename_to_uri(p, None) for p in sys.argv[1:]]
w = Gtk.Window(title="drag source")
b = Gtk.Button(label="drag me")
b.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
b.drag_source_add_uri_targets()
b.connect("drag-data-get", lambda wid, ctx, data, info, t: data.set_uris(uris))
w.add(b)
w.connect("destroy", Gtk.main_quit)
w.show_all()
Gtk.main()
PY

DSTOR_UPLOADER_HOME="$tmp/home" "$bin" --env sandbox >"$tmp/app.log" 2>&1 & app=$!
sleep 3
/usr/bin/python3 "$tmp/dragsrc.py" "$tmp/files/dropped file.bin" "$tmp/files/dropped folder" >"$tmp/src.log" 2>&1 & src=$!
sleep 2
win=$(xdotool search --name "drag source" | tail -1)
xdotool windowmove "$win" 1020 100
xdotool windowsize "$win" 200 120
sleep 0.5
# Press on the source, move across onto the window's queue, release.
xdotool mousemove 1120 160; sleep 0.3; xdotool mousedown 1; sleep 0.3
for x in 1100 1050 1000 900 700 500 400; do xdotool mousemove "$x" 400; sleep 0.15; done
sleep 0.5; xdotool mouseup 1

db="$tmp/home/dstor-uploader.db"
for _ in $(seq 1 60); do
  n=$(sqlite3 "$db" "select count(*) from history where verified = 1" 2>/dev/null || echo 0)
  [ "$n" -ge 2 ] && break
  sleep 0.5
done
sqlite3 -separator '  ' "$db" "select hash, folder_path, name from history order by id"
got=$(sqlite3 "$db" "select group_concat(name || '@' || folder_path, ',') from (select * from history where verified = 1 order by name)")
want="dropped file.bin@,inner.txt@/dropped folder/"
if [ "$got" != "$want" ]; then
  echo "dnd-check: FAILED — the history holds [$got], want [$want]" >&2
  exit 1
fi
echo "dnd-check: a file and a folder dragged from another application were uploaded and verified"
