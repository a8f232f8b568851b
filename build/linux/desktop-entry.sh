#!/usr/bin/env bash
# desktop-entry.sh ARCHIVE: replaces the .desktop file that `fyne package`
# put in ARCHIVE (a .tar.xz) with build/linux/dstor-uploader.desktop, whose
# MimeType makes file managers offer "Open with dStor Uploader" for any file
# and folder, and whose "Upload files…" action opens the file chooser
# (FyneApp.toml has no field for either). The program and icon names stay
# the ones fyne chose (its Icon keeps the file's extension, which
# desktop-file-validate warns about), so the entry still finds both.
set -euo pipefail
archive=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$archive" -C "$tmp"
generated=$(find "$tmp" -path '*/share/applications/*.desktop' | head -1)
[ -n "$generated" ] || { echo "no .desktop file in $archive" >&2; exit 1; }
exe=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$generated" | head -1)
icon=$(sed -n 's/^Icon=//p' "$generated" | head -1)
sed -e "s|^Exec=dstor-uploader|Exec=$exe|" -e "s|^Icon=.*|Icon=$icon|" \
	"$here/dstor-uploader.desktop" >"$generated"
(cd "$tmp" && tar -cJf "$archive.new" -- *)
mv "$archive.new" "$archive"
echo "desktop entry of $archive: MimeType and the \"Upload files…\" action added"
