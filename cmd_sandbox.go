package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
)

// sandboxUsage is the help of `dstor-uploader sandbox`; the flag list is
// added below it.
const sandboxUsage = `Usage: dstor-uploader sandbox [flags]

Run a dStor-compatible server on this machine, for trying the app and scripts
offline. It creates one account and one API key, prints them, and serves until
Ctrl+C (SIGINT) or SIGTERM. It listens on loopback addresses only.

Examples:
  # The demo account (demo@sandbox.local / sandbox-demo) and a random API key:
  dstor-uploader sandbox

  # A fixed key for scripts, and files kept between runs:
  dstor-uploader sandbox --api-key SandboxDemoKey0000NotASecret0000OnlyForTheLocalSandbox0000000000 --data ./sandbox-data

  # Then, from another shell, with the values it printed:
  curl -s -H "api-key: $KEY" http://127.0.0.1:8787/v1/dev/temp-token
  curl -s -X POST -H 'Content-Type: application/json' \
       -d '{"email":"demo@sandbox.local","password":"sandbox-demo"}' http://127.0.0.1:8787/v1/dev/temp-token
  curl -s -H "Authorization: Bearer $TOKEN" -H 'x-dstor-folder-path: /photos/' \
       -F file=@photo.jpg http://127.0.0.1:8787/api/v0/add
  curl -s http://127.0.0.1:8787/ipfs/<Hash from the answer>

Flags:
`

// runSandbox implements `dstor-uploader sandbox`: it serves until SIGINT or
// SIGTERM and returns the exit status (0 after a clean shutdown, 1 when the
// server cannot run, 2 for bad flags).
func runSandbox(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSandboxCtx(ctx, args, stdout, stderr)
}

// sandboxFlags are the parsed flags of `dstor-uploader sandbox`.
type sandboxFlags struct {
	listen, dataDir, apiKey, email, password string
	maxUploadSize                            int64
	faults                                   faultFlags
}

// faultFlags collects repeated --fault SPEC flags, parsed as they come so a
// bad one is reported before anything starts.
type faultFlags []sandbox.Fault

func (f *faultFlags) String() string { return "" }

func (f *faultFlags) Set(spec string) error {
	fault, err := sandbox.ParseFaultSpec(spec)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

// parseSandboxFlags parses args; help goes to stdout, errors to stderr. It
// returns ok=false with the exit status when the command should stop.
func parseSandboxFlags(args []string, stdout, stderr io.Writer) (sandboxFlags, int, bool) {
	var f sandboxFlags
	var out strings.Builder
	fs := flag.NewFlagSet("dstor-uploader sandbox", flag.ContinueOnError)
	fs.SetOutput(&out)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8787", "loopback `address` to listen on (port 0 picks a free port)")
	fs.StringVar(&f.dataDir, "data", "", "`directory` for uploaded content, kept between runs (default: a temporary directory removed on exit)")
	fs.StringVar(&f.apiKey, "api-key", "", "a fixed API `key` of 64 letters and digits, for scripts (default: a random key)")
	fs.StringVar(&f.email, "email", sandbox.DemoEmail, "the account's `email`")
	fs.StringVar(&f.password, "password", sandbox.DemoPassword, "the account's `password`")
	fs.Int64Var(&f.maxUploadSize, "max-upload-size", 0, "largest accepted file in `bytes`; larger uploads get 413 (default: 10 GiB)")
	fs.Var(&f.faults, "fault", "misbehave on purpose, for testing clients: a fault `SPEC` such as 503:every=3 (repeatable; see below)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), sandboxUsage)
		fs.VisitAll(func(fl *flag.Flag) {
			name, usage := flag.UnquoteUsage(fl)
			def := ""
			if fl.DefValue != "" && fl.DefValue != "0" {
				def = fmt.Sprintf(" (default %q)", fl.DefValue)
			}
			fmt.Fprintf(fs.Output(), "  --%s %s\n        %s%s\n", fl.Name, name, usage, def)
		})
		fmt.Fprintf(fs.Output(), "\nFaults (--fault):\n%s\n", sandbox.FaultSpecHelp)
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, out.String())
		return f, 0, false
	case err != nil:
		fmt.Fprint(stderr, out.String())
		return f, 2, false
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "dstor-uploader sandbox: unexpected argument %q (see --help)\n", fs.Arg(0))
		return f, 2, false
	case f.maxUploadSize < 0:
		fmt.Fprintln(stderr, "dstor-uploader sandbox: --max-upload-size must be 0 (the default, 10 GiB) or a positive number of bytes")
		return f, 2, false
	}
	if f.apiKey != "" {
		if err := sandbox.CheckAPIKey(f.apiKey); err != nil {
			fmt.Fprintf(stderr, "dstor-uploader sandbox: --api-key: %v\n", err)
			return f, 2, false
		}
	}
	return f, 0, true
}

// runSandboxCtx is runSandbox stopped by ctx instead of a signal, so a test
// can run the command and end it.
func runSandboxCtx(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseSandboxFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	var logMu sync.Mutex // handlers log from many goroutines
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
	fail := func(err error) int {
		logf("dstor-uploader sandbox: %v", err)
		return 1
	}

	srv, err := sandbox.New(sandbox.Config{DataDir: f.dataDir, MaxUploadSize: f.maxUploadSize, Logf: logf})
	if err != nil {
		return fail(err)
	}
	defer srv.Close()
	for _, fault := range f.faults {
		srv.InjectFault(fault)
		logf("dstor-uploader sandbox: fault injected: %s", fault)
	}
	url, err := srv.Start(f.listen) // first, so a refused address fails fast
	if err != nil {
		return fail(err)
	}
	acc, err := srv.CreateAccount(f.email, f.password)
	if err != nil {
		return fail(err)
	}
	key := f.apiKey
	if key == "" {
		key, err = srv.CreateAPIKey(acc.ID, time.Time{})
	} else {
		err = srv.AddAPIKey(acc.ID, key, time.Time{})
	}
	if err != nil {
		return fail(err)
	}

	fmt.Fprintf(stdout, "API base: %s\nAPI key: %s\nEmail: %s\nPassword: %s\nGateway: %s/ipfs/\n",
		url, key, acc.Email, f.password, url)
	logf("dstor-uploader sandbox: serving on %s until Ctrl+C", url)

	<-ctx.Done()
	logf("dstor-uploader sandbox: shutting down")
	if err := srv.Close(); err != nil {
		return fail(err)
	}
	return 0
}
