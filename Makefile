# dStor Uploader — build, test and run. Every target installs what it needs.
SHELL      := /bin/bash
BINARY     := dstor-uploader
GO         ?= go
export LANG ?= C.UTF-8
# Debian packages the build (Fyne: X11/GL headers, native dialogs: GTK) and the
# tests (Xvfb, a D-Bus session with gnome-keyring for the real OS keyring) need.
DEB_PKGS   := xorg-dev libgl1-mesa-dev libgtk-3-dev xvfb xauth dbus-x11 gnome-keyring pkg-config gcc
STATICCHECK_VERSION := v0.8.2
GOBIN      := $(shell $(GO) env GOPATH)/bin

.PHONY: all deps build run test lint sandbox clean help

all: build

help:
	@echo "make run       build and open the window signed in to the built-in Local sandbox"
	@echo "make test      install what is missing, then run every test (race detector, Xvfb, real keyring)"
	@echo "make build     build ./$(BINARY)"
	@echo "make lint      gofmt, go vet, staticcheck"
	@echo "make sandbox   run a dStor-compatible server on 127.0.0.1:8787"

# deps installs the Debian packages that are missing (apt-get update once, then install).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	$(GO) build -o $(BINARY) .

sandbox: build
	./$(BINARY) sandbox --listen 127.0.0.1:8787

# test runs the whole suite with the race detector inside Xvfb and a private
# D-Bus session whose gnome-keyring is unlocked, so keyring tests use the real
# Secret Service rather than a mock.
test: deps
	$(GO) vet ./...
	dbus-run-session -- bash -c 'echo test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
	  xvfb-run -a -s "-screen 0 1280x800x24" $(GO) test -race -count=1 -timeout 30m ./...'

lint: deps
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

clean:
	rm -f $(BINARY)
