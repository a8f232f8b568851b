# dStor Uploader — build, test and run. Every target installs what it needs.
SHELL      := /bin/bash
BINARY     := dstor-uploader
GO         ?= go
export LANG ?= C.UTF-8
# Debian packages the build (Fyne: X11/GL headers, native dialogs: GTK) and the
# tests (Xvfb, a D-Bus session with gnome-keyring for the real OS keyring) need.
DEB_PKGS   := xorg-dev libgl1-mesa-dev libgtk-3-dev xvfb xauth dbus-x11 gnome-keyring pkg-config gcc
# Debian packages only the tests need: zbarimg decodes the QR codes the app
# draws, an independent check that they scan; desktop-file-validate checks
# the desktop entry.
TEST_DEB_PKGS := zbar-tools desktop-file-utils
STATICCHECK_VERSION := v0.8.2
GOBIN      := $(shell $(GO) env GOPATH)/bin

.PHONY: all deps build run test lint sandbox clean help

all: build

help:
	@echo "make run       build and open the window signed in to the built-in Local sandbox"
	@echo "make test      install what is missing, then run every test (race detector, Xvfb, real keyring)"
	@echo "make build     build ./$(BINARY)"
	@echo "make lint      gofmt, go vet, staticcheck, go mod tidy -diff, go vet for Windows and macOS (what CI runs first)"
	@echo "make sandbox   run a dStor-compatible server on 127.0.0.1:8787"
	@echo "make bench     performance suite against curl (BENCH_QUICK=1 for a short pass): prints the README's Performance table"
	@echo "make reliability  faults, kills, bad input, secrets, hardening, trust: prints the README's Reliability table"
	@echo "make fuzz      run every fuzz target for FUZZTIME each (default 60s)"
	@echo "make stress    the timing-sensitive tests STRESS_COUNT times each (default 10) under -race: pass/fail per group; STRESS_MINUTES caps its time"
	@echo "make dnd-check drag a file and a folder from another X application onto the window (Xvfb)"
	@echo "make windows   dist/windows/dstor-uploader.exe and its per-user installer dstor-uploader-setup.exe"
	@echo "make test-windows  cross-compile the Windows test binaries and run them under Wine"
	@echo "make test-windows-smoke  the cgo-free part of test-windows, under Wine: what CI runs"

# apt_install installs the Debian packages of $(1) that are missing (apt-get
# update once, then install), as root or through sudo.
apt_install = missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# deps installs the Debian packages that are missing.
deps:
	@$(call apt_install,$(DEB_PKGS))

build: deps
	$(GO) build -o $(BINARY) .

sandbox: build
	./$(BINARY) sandbox --listen 127.0.0.1:8787

# test runs the whole suite with the race detector inside Xvfb and a private
# D-Bus session whose gnome-keyring is unlocked, so keyring tests use the real
# Secret Service rather than a mock. The keyring lives in a fresh directory
# (XDG_DATA_HOME), so a login keyring left with another password cannot turn
# those tests into skips, and tests never write into the person's own keyring.
test: deps
	@$(call apt_install,$(TEST_DEB_PKGS))
	$(GO) vet ./...
	$(GO) vet -tags screenshots ./ui/
	@keyrings=$$(mktemp -d); trap 'rm -rf $$keyrings' EXIT; \
	XDG_DATA_HOME=$$keyrings DSTOR_REQUIRE_KEYRING=1 dbus-run-session -- bash -c 'echo test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
	  xvfb-run -a -s "-screen 0 1280x800x24" $(GO) test -race -count=1 -timeout 50m ./...'

# NOCGO_PKGS are the packages that build without cgo (no Fyne): lint vets
# them for macOS and the BSDs too, which this machine cannot build the
# window for, so that none of them stops building unseen.
NOCGO_PKGS := ./api/... ./storage/... ./session/... ./internal/...
# WIN_VET_DEB_PKGS are what lint needs to vet every package, Fyne's cgo
# included, for Windows: mingw-w64's C compiler. CI runs the cgo packages'
# tests on Linux only (test-windows-smoke leaves them out), so this is what
# tells it that the window, cli and their tests still build for Windows.
WIN_VET_DEB_PKGS := gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64

# lint fails on an unformatted file, a vet or staticcheck finding, an untidy
# go.mod, a vet finding of any package (tests included) on Windows, or of the
# cgo-free packages on macOS.
# staticcheck runs at a pinned version straight from the module proxy.
lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags screenshots ./ui/
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) mod tidy -diff
	@$(call apt_install,$(WIN_VET_DEB_PKGS))
	CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc GOOS=windows $(GO) vet ./...
	for os in darwin freebsd openbsd netbsd; do CGO_ENABLED=0 GOOS=$$os $(GO) vet $(NOCGO_PKGS) || exit 1; done

clean:
	rm -f $(BINARY) $(BINARY)-screenshots

.PHONY: stress

# STRESS_COUNT is how many times `make stress` runs each group of tests.
STRESS_COUNT ?= 10

# stress runs the tests most exposed to timing (the short reliability
# suite, the tests with real child processes, the queue, UI and end-to-end
# tests that cancel or pause mid-upload) STRESS_COUNT times each under the
# race detector, in the same Xvfb + D-Bus/gnome-keyring session as `make
# test`, and prints how many runs of each passed (.ci/stress.sh).
stress: deps
	@keyrings=$$(mktemp -d); trap 'rm -rf $$keyrings' EXIT; \
	XDG_DATA_HOME=$$keyrings DSTOR_REQUIRE_KEYRING=1 STRESS_COUNT=$(STRESS_COUNT) GO=$(GO) dbus-run-session -- bash -c 'echo test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
	  xvfb-run -a -s "-screen 0 1280x800x24" ./.ci/stress.sh'

.PHONY: reliability fuzz

# reliability runs the full reliability suite (injected faults, SIGKILLs
# of the CLI, bad input, secrets, fuzz targets, sandbox hardening; trust:
# lying servers, swapped and changing files, interrupts, clocks, full
# disks; as root it mounts a small tmpfs for the full disk) and prints its
# table, the one in README's "Reliability" section. `make test` runs a short
# version of the same suite. gnome-keyring gets a fresh, private keyring
# directory (XDG_DATA_HOME), so neither a stale login keyring can turn the
# keyring checks off nor the tests write into the person's own keyring.
reliability: deps
	@table=$$(mktemp); keyrings=$$(mktemp -d); \
	DSTOR_RELIABILITY_TABLE=$$table XDG_DATA_HOME=$$keyrings dbus-run-session -- bash -c \
	  'echo test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
	   xvfb-run -a -s "-screen 0 1280x800x24" $(GO) test -tags reliability -run "^TestReliability$$" -v -count=1 -timeout 60m ./reliability'; rc=$$?; \
	echo; echo "==================== Reliability (make reliability) ===================="; \
	cat $$table; rm -rf $$table $$keyrings; exit $$rc

# FUZZTIME is how long `make fuzz` runs each target.
FUZZTIME ?= 60s
FUZZ_TARGETS := ./api:FuzzParseAddResponse ./api:FuzzParseToken ./api:FuzzValidateHeaders ./api:FuzzRemoteName \
	./api:FuzzCIDHasherMatchesBoxo ./api/sandbox:FuzzSandboxMultipart ./api/sandbox:FuzzParseFaultSpec

# fuzz runs each fuzz target for FUZZTIME (go test fuzzes one target at a time);
# their seed corpora already run in every `make test`.
fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

.PHONY: bench

# bench runs the performance suite (.ci/bench.sh): the CLI against
# curl on the local sandbox, the CID pass against crypto/sha256, history
# queries on 100,000 rows. It installs time and curl when missing and prints
# the table of README's "Performance" section. BENCH_QUICK=1: a short pass.
bench: deps
	GO=$(GO) ./.ci/bench.sh

# --- desktop window: run, screenshots, package, install ---------------------
FYNE_TOOLS_VERSION := v1.7.4
SCREENSHOT_DIR     := assets/screenshots
SHOT_BIN           ?= ./$(BINARY)-screenshots
SHOT_DISPLAY       ?= :99
# SHOT_LANGS are the locales make screenshots also shoots the window in
# (sign-in, queue and history each): German, the longest, and Russian,
# which checks that Cyrillic renders. SHOT_ONLY_LANGS=1 shoots only those.
SHOT_LANGS         ?= de_DE ru_RU
SHOT_ONLY_LANGS    ?=
.PHONY: screenshots package install dnd-check

# dnd-check drags a file and a folder from another X application (a small
# GTK drag source) onto the real window under Xvfb and checks that both are
# uploaded and verified: the real drag-and-drop path, not a test call.
dnd-check: build
	@missing=""; for p in xdotool sqlite3 python3-gi gir1.2-gtk-3.0; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; fi
	./.ci/dnd-check.sh ./$(BINARY)

# run opens the window already signed in to the built-in Local sandbox (its
# data lives under the normal data folder, kept apart by its own name).
run: build
	./$(BINARY) --env sandbox

# screenshots builds the app with its screenshot tooling (-tags screenshots:
# a fixed window size, a forced theme, slowed-down uploads; the shipped
# binary has none of it), runs it under Xvfb against the sandbox with a
# throw-away data folder (and a throw-away keyring when gnome-keyring is
# installed) and a throw-away home whose ~/Pictures/2026 holds the files
# uploaded (the pictures real ones, drawn by ImageMagick, for History's
# thumbnails), and saves sign-in (also after a wrong password), a busy queue
# and the history, light and dark, at 1100x720 and again at 640x480 and
# 1280x800 (the -640x480 and -1280x800 files), then sign-in, queue and
# history in each of SHOT_LANGS (the -de and -ru files). Each is taken a
# few seconds (shot's third argument) after the window says it shows its
# state ("screenshot: ready" on its output), however busy the machine.
screenshots: deps
	$(GO) build -tags screenshots -o $(BINARY)-screenshots .
	@command -v import >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq imagemagick >/dev/null; }
	@set -e; bin=$$(realpath $(SHOT_BIN)); out=$$(realpath -m $(SCREENSHOT_DIR)); mkdir -p $$out; \
	tmp=$$(mktemp -d /tmp/dstor-screenshots.XXXXXX); Xvfb $(SHOT_DISPLAY) -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$$!; \
	trap 'kill $$xvfb 2>/dev/null; chmod -R u+rwX $$tmp; rm -rf $$tmp' EXIT; sleep 1; \
	me=$$tmp/me; f=$$me/Pictures/2026; mkdir -p $$f/raw; \
	head -c 18000 /dev/urandom >$$f/notes.txt; convert -size 800x600 gradient:'#f6c453-#3a6ea5' $$f/cover.png; \
	head -c 64000000 /dev/urandom >$$f/holiday-video.mp4; head -c 41000000 /dev/urandom >$$f/photos-2026.zip; \
	head -c 23000000 /dev/urandom >$$f/dataset.csv; head -c 8400000 /dev/urandom >$$f/slides.pdf; \
	pic() { convert -size 2400x$$2 gradient:"$$3" \( -size 2400x$$((1800-$$2)) gradient:"$$4" \) -append -fill "$$5" -draw "$$6" -quality 92 $$f/raw/IMG_00$$1.jpg; }; \
	pic 1 1080 '#4f8fd0-#dcecfa' '#6b8e23-#2e4a12' '#ffe08a' 'circle 1750,380 1750,520'; \
	pic 2 1100 '#e07a5f-#f9d9a8' '#264653-#14262d' '#f4a261' 'circle 1200,1100 1200,1300'; \
	pic 3 900 '#7fb8ee-#e6f2fc' '#1e88e5-#0b3c7a' white 'ellipse 600,300 260,70 0,360'; \
	pic 4 1000 '#9ec1dc-#eef4f8' '#d4ac2b-#7d5f0e' '#3d5a1e' 'circle 1530,640 1530,780'; \
	mkfifo $$f/live-feed.pipe; \
	running() { ps -e -o pgid=,stat= | awk -v g=$$1 '$$1 == g && $$2 !~ /^Z/ { f = 1 } END { exit !f }'; }; \
	shot() { state=$$1; name=$$2; secs=$$3; shift 3; home=$$tmp/home-$$name; mkdir -p $$home; \
	  run="$$shotlang HOME=$$me XDG_CONFIG_HOME=$$home/.config XDG_CACHE_HOME=$$home/.cache XDG_DATA_HOME=$$home/.local/share DSTOR_UPLOADER_HOME=$$home DSTOR_UPLOADER_SCREENSHOT=$$state DISPLAY=$(SHOT_DISPLAY) $$bin --env sandbox $$*"; \
	  if command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null; then \
	    HOME=$$home setsid dbus-run-session -- bash -c "echo screenshot | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; $$run" >$$tmp/$$name.log 2>&1 & pid=$$!; \
	  else setsid bash -c "$$run" >$$tmp/$$name.log 2>&1 & pid=$$!; fi; \
	  size=$$(echo "$$state" | grep -o '[0-9]*x[0-9]*' || echo 1100x720); \
	  for _ in $$(seq 600); do grep -q '^screenshot: ready' $$tmp/$$name.log && break; sleep 0.2; done; \
	  grep -q '^screenshot: ready' $$tmp/$$name.log || echo "$$name: not ready after 120 s, taken as it is" >&2; \
	  sleep $$secs; DISPLAY=$(SHOT_DISPLAY) import -window root -crop $$size+0+0 +repage $$out/$$name.png; \
	  kill -TERM -- -$$pid 2>/dev/null || true; wait $$pid 2>/dev/null || true; \
	  for _ in $$(seq 100); do running $$pid || break; sleep 0.1; done; \
	  kill -KILL -- -$$pid 2>/dev/null || true; echo "saved $(SCREENSHOT_DIR)/$$name.png"; }; \
	busy="$$f/notes.txt $$f/cover.png $$f/live-feed.pipe $$f/holiday-video.mp4 $$f/photos-2026.zip $$f/dataset.csv $$f/slides.pdf $$f/raw"; \
	done="$$f/notes.txt $$f/cover.png $$f/slides.pdf $$f/raw"; \
	shotlang=""; if [ -z "$(SHOT_ONLY_LANGS)" ]; then \
	shot signin signin 2; shot signin:dark signin-dark 2; \
	shot signin-error signin-error 1; shot signin-error:dark signin-error-dark 1; \
	shot queue queue 3 $$busy; shot queue:dark queue-dark 3 $$busy; \
	shot history history 2 $$done; shot history:dark history-dark 2 $$done; \
	for sz in 640x480 1280x800; do \
	  shot signin:$$sz signin-$$sz 2; shot signin:dark:$$sz signin-$$sz-dark 2; \
	  shot queue:$$sz queue-$$sz 3 $$busy; shot queue:dark:$$sz queue-$$sz-dark 3 $$busy; \
	  shot history:$$sz history-$$sz 2 $$done; shot history:dark:$$sz history-$$sz-dark 2 $$done; \
	done; fi; \
	for l in $(SHOT_LANGS); do shotlang="LANG=$$l.UTF-8 LANGUAGE=$$l"; lc=$$(echo $$l | cut -c1-2); \
	  shot signin signin-$$lc 2; shot queue queue-$$lc 3 $$busy; shot history history-$$lc 2 $$done; \
	done

# package builds a Linux package (tar.xz with the .desktop file and icon)
# with the fyne tool, installed at a pinned version when missing; its
# desktop entry is then build/linux/dstor-uploader.desktop ("Open with" for
# any file and folder, and an "Upload files…" action).
package: deps
	@test -x $(GOBIN)/fyne || $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)
	$(GOBIN)/fyne package --target linux --release
	@./build/linux/desktop-entry.sh "$$(ls -t *.tar.xz | head -1)"

# install puts the packaged app under ~/.local (binary, .desktop, icon).
install: package
	@pkg="$$(ls -t *.tar.xz | head -1)"; tmp=$$(mktemp -d); tar -xJf "$$pkg" -C $$tmp; \
	mk=$$(ls $$tmp/*/Makefile 2>/dev/null | head -1); \
	if [ -n "$$mk" ]; then $(MAKE) -C "$$(dirname "$$mk")" user-install; \
	else mkdir -p $(HOME)/.local && cp -r $$tmp/*/usr/local/. $(HOME)/.local/; fi; rm -rf $$tmp; \
	echo "installed dStor Uploader for $$USER: find it in your applications menu"

# --- Windows: cross-compiled with mingw-w64, tested under Wine ---------------
# Debian's wine64 alone runs 64-bit Windows programs: no i386 architecture
# (wine32) is needed. mingw-w64 compiles Fyne's cgo and the ProcessPrng DLL
# that Wine 8 lacks (build/windows/processprng.c).
WIN_DEB_PKGS := gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 nsis imagemagick xvfb xauth x11-utils
# WIN_PKGS are tested under Wine: every package whose tests build for
# Windows without cgo, found by go list (a test binary, pkg.test, with no
# error in it or its imports), so that a new one is never left out; a
# package whose tests need cgo is in WIN_CGO_PKGS or untested on Windows.
# test-windows-smoke (and so CI) runs these, api/worker with
# -test.short (WIN_SMOKE_SHORT: its 1,000-upload test, a third of its time
# under Wine and the one that ran past its limit at a load average near 60,
# is left to test-windows). WIN_CGO_PKGS too, built
# with mingw-w64's cgo; WIN_PKG_RUN narrows a package to some of its tests: of
# the reliability suite, the bad-input and crash parts (the others need
# /proc, SIGQUIT or Linux figures).
WIN_PKGS      = $(shell CGO_ENABLED=0 GOOS=windows $(GO) list -e -test \
	-f '{{if and (eq .Name "main") (not .Error) (not .DepsErrors)}}{{.ImportPath}}{{end}}' ./... | \
	sed -n "s|^$$($(GO) list -m)\(.*\)\.test$$|.\1|p")
WIN_SMOKE_SHORT := ./api/worker
WIN_CGO_PKGS := ./cli ./reliability
WIN_PKG_RUN  := ./reliability=TestReliability/(BadInput|Crashes)
.PHONY: windows-deps windows test-windows test-windows-smoke
# WIN_SMOKE_DEB_PKGS are what test-windows-smoke needs: Wine, and mingw-w64's C
# compiler for the ProcessPrng DLL only (no Fyne, no installer).
WIN_SMOKE_DEB_PKGS := gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64

windows-deps:
	@$(call apt_install,$(WIN_DEB_PKGS))

# windows builds dist/windows/dstor-uploader.exe (GUI subsystem; icon,
# version information and a per-monitor-DPI-aware manifest from FyneApp.toml)
# and dist/windows/dstor-uploader-setup.exe, a per-user NSIS installer
# (build/windows/build.sh).
windows: windows-deps
	GO=$(GO) ./build/windows/build.sh

# test-windows cross-compiles the Windows test binaries (WIN_PKGS, and
# WIN_CGO_PKGS with mingw-w64's cgo) and runs them under Wine in a throw-away
# prefix inside an Xvfb of its own (xvfb-run), so that the tests which open
# the real window run too (.ci/test-windows.sh); then it installs the app
# there and checks the real window under Xvfb, the command line from cmd.exe
# and the uninstaller (.ci/test-windows-exe.sh), saving a screenshot of the
# window in WIN_SHOT. The prefix and its wineserver are gone afterwards.
WIN_SHOT ?= dist/windows/window-under-wine.png
test-windows: windows
	GO=$(GO) WIN_PKGS="$(WIN_PKGS)" WIN_CGO_PKGS="$(WIN_CGO_PKGS)" WIN_PKG_RUN="$(WIN_PKG_RUN)" \
	  WIN_SETUP=dist/windows/dstor-uploader-setup.exe WIN_SHOT=$(WIN_SHOT) \
	  xvfb-run -a -s "-screen 0 1280x800x24" ./.ci/test-windows.sh

# test-windows-smoke is the part of test-windows that CI runs: the packages
# without cgo (WIN_PKGS; WIN_SMOKE_SHORT short) cross-compiled and tested under
# Wine in a throw-away prefix, without Fyne's mingw-w64 build, the app or its
# installer (.ci/test-windows.sh).
test-windows-smoke:
	@$(call apt_install,$(WIN_SMOKE_DEB_PKGS))
	GO=$(GO) WIN_PKGS="$(WIN_PKGS)" WIN_SHORT="$(WIN_SMOKE_SHORT)" WIN_CGO_PKGS= WIN_SETUP= ./.ci/test-windows.sh
