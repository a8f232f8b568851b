#!/usr/bin/env bash
# make windows: cross-compiles dist/windows/dstor-uploader.exe (GUI subsystem,
# with the icon, version information and manifest made from FyneApp.toml)
# and packs it into dist/windows/dstor-uploader-setup.exe with NSIS.
# Needs mingw-w64 (gcc, windres), ImageMagick (the .ico) and makensis.
set -euo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
out=${WIN_DIST:-dist/windows}
mingw=x86_64-w64-mingw32

toml() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" FyneApp.toml | head -n1; }
name=$(toml Name) version=$(toml Version) build=$(toml Build) id=$(toml ID) website=$(toml Website)
version4=$version.$build
# The data folder's name under %LOCALAPPDATA%, for the uninstaller: the Go
# constant is the one place it is written.
data_dir=$(sed -n 's/^const WindowsDirName = "\(.*\)"$/\1/p' storage/paths_windows.go)
[ -n "$name" ] && [ -n "$version" ] && [ -n "$build" ] && [ -n "$id" ] && [ -n "$data_dir" ] ||
	{ echo "build/windows/build.sh: FyneApp.toml lacks Name, Version, Build or ID" >&2; exit 1; }

work=$(mktemp -d)
syso=rsrc_windows_amd64.syso # picked up by the linker from the main package's folder
trap 'rm -rf "$work" "$syso"' EXIT
trap 'exit 1' INT TERM # so that the EXIT trap cleans up
subst() {
	sed -e "s|@NAME@|$name|g" -e "s|@ID@|$id|g" -e "s|@VERSION@|$version|g" -e "s|@VERSION4@|$version4|g" \
		-e "s|@VERSION_COMMAS@|${version4//./,}|g" -e "s|@WEBSITE@|$website|g" "$1"
}
# /usr/bin/convert: Debian's ImageMagick, whatever else PATH has under that name.
/usr/bin/convert assets/icon.png -define icon:auto-resize=256,64,48,32,24,16 "$work/icon.ico"
subst build/windows/app.manifest.in >"$work/app.manifest"
subst build/windows/app.rc.in >"$work/app.rc"
(cd "$work" && $mingw-windres -O coff -i app.rc -o rsrc.syso)
cp "$work/rsrc.syso" "$syso"

mkdir -p "$out"
start=$SECONDS
# WIN_TAGS=accessibility: Fyne 2.8 hands screen readers (UI Automation)
# each control's name and role only in a build with it. It is not the
# default: under Wine 8 such a build aborts as soon as the window's content
# changes (README, Windows), so make test-windows could not run it.
tags=${WIN_TAGS:-}
CGO_ENABLED=1 CC=$mingw-gcc GOOS=windows GOARCH=amd64 \
	$GO build ${tags:+-tags "$tags"} -ldflags "-H windowsgui -s -w" -o "$out/dstor-uploader.exe" .
echo "built $out/dstor-uploader.exe ($(du -h "$out/dstor-uploader.exe" | cut -f1), $((SECONDS - start)) s)"

abs() { realpath -m "$1"; }
makensis -V2 -INPUTCHARSET UTF8 \
	-DAPP_NAME="$name" -DAPP_ID="$id" -DVERSION="$version" -DVERSION4="$version4" -DWEBSITE="$website" \
	-DDATA_DIR_NAME="$data_dir" -DEXE="$(abs "$out/dstor-uploader.exe")" -DICON="$work/icon.ico" \
	-DOUTFILE="$(abs "$out/dstor-uploader-setup.exe")" build/windows/installer.nsi
echo "built $out/dstor-uploader-setup.exe ($(du -h "$out/dstor-uploader-setup.exe" | cut -f1))"
