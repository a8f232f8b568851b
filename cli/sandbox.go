package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

type sandboxOptions struct {
	listen, dataDir, apiKey, email, password string
	maxUploadSize                            int64
	faults                                   faultFlags
	dataSet                                  bool // --data given, even empty
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

func (f *faultFlags) Type() string { return "SPEC" }

func newSandboxCommand(cio IO) *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox [flags]",
		Short: "Run a dStor-compatible server on loopback",
		Long: `Run a dStor-compatible server on this machine, for trying the app and scripts
offline. It creates one account and one API key, prints them, and serves until
Ctrl+C (SIGINT) or SIGTERM. It listens on loopback addresses only.

Faults (--fault):
` + sandbox.FaultSpecHelp,
		Example: `  # The demo account (demo@sandbox.local / sandbox-demo) and a random API key:
  dstor-uploader sandbox

  # A fixed key for scripts, and files kept between runs:
  dstor-uploader sandbox --api-key SandboxDemoKey0000NotASecret0000OnlyForTheLocalSandbox0000000000 --data ./sandbox-data

  # Then, from another shell, with the values it printed:
  curl -s -H "api-key: $KEY" http://127.0.0.1:8787/v1/dev/temp-token
  curl -s -X POST -H 'Content-Type: application/json' \
       -d '{"email":"demo@sandbox.local","password":"sandbox-demo"}' http://127.0.0.1:8787/v1/dev/temp-token
  curl -s -H "Authorization: Bearer $TOKEN" -H 'x-dstor-folder-path: /photos/' \
       -F file=@photo.jpg http://127.0.0.1:8787/api/v0/add
  curl -s http://127.0.0.1:8787/ipfs/<Hash from the answer>`,
		Args: noArgs("see --help"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.dataSet = cmd.Flags().Changed("data")
			return runSandbox(cmd.Context(), cio, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8787", "loopback `address` to listen on (port 0 picks a free port)")
	f.StringVar(&o.dataDir, "data", "", "`directory` for uploaded content, kept between runs (default: a temporary directory removed on exit)")
	f.StringVar(&o.apiKey, "api-key", "", "a fixed API `key` of 64 letters and digits, for scripts (default: a random key)")
	f.StringVar(&o.email, "email", sandbox.DemoEmail, "the account's `email`")
	f.StringVar(&o.password, "password", sandbox.DemoPassword, "the account's `password`")
	decimalVar(f, &o.maxUploadSize, "max-upload-size", 0, "largest accepted file in `bytes`; larger uploads get 413 (default: 10 GiB)")
	f.Var(&o.faults, "fault", "misbehave on purpose, for testing clients: a fault `SPEC` such as 503:every=3 (repeatable; see Faults above)")
	return cmd
}

// validate refuses, as usage errors (exit 2), the values the sandbox
// would refuse once started, before anything starts; none repeats the
// value, which may be a secret typed in the wrong place. It reads --data
// as the system does (dataFolder), and o.dataDir is then that folder, so
// the store is made where the checks judged.
func (o *sandboxOptions) validate() error {
	if err := sandbox.CheckListenAddress(o.listen); err != nil {
		return usageErrorf("--listen: %v", err)
	}
	if err := sandbox.CheckEmail(o.email); err != nil {
		return usageErrorf("--email: %v", err)
	}
	if err := sandbox.CheckPassword(o.password); err != nil {
		return usageErrorf("--password: %v", err)
	}
	if o.maxUploadSize < 0 {
		return usageErrorf("--max-upload-size must be 0 (the default, 10 GiB) or a positive number of bytes")
	}
	if o.apiKey != "" {
		if err := sandbox.CheckAPIKey(o.apiKey); err != nil {
			return usageErrorf("--api-key: %v", err)
		}
	}
	if o.dataSet && o.dataDir == "" {
		// "--data $DIR" with DIR unset: the uploads are not to vanish
		// with a temporary store at exit.
		return usageErrorf("--data needs a folder: it was given empty (leave --data out for a store removed on exit)")
	}
	if o.dataDir == "" {
		return nil
	}
	dir, err := dataFolder(o.dataDir)
	if err != nil {
		return err
	}
	o.dataDir = dir
	if err := notAFolder(o.dataDir); err != nil {
		return err
	}
	if inOwnDataFolder(o.dataDir) {
		return usageErrorf("--data: %s is dStor Uploader's own data folder, or in it (its upload history lives there): the sandbox would write its store among the history's files; pick another folder (one that is missing is made)",
			inert.Line(o.dataDir))
	}
	return nil
}

// dataFolder is the folder --data names, read as upload reads a path
// (api.AbsPath) where that may differ from its text: a ".." after a
// symbolic link goes up from where the link leads, as `mkdir DIR` and
// `cd DIR` go, not from the link's own folder, so the store is made, and
// the app's data folder guarded (inOwnDataFolder), where the system goes;
// the folder is then named by its absolute path. A DIR without ".." is
// kept as given, and named so. A ".." the system cannot follow (a link to
// nothing, a loop, a name not there), where `mkdir DIR` makes nothing, is
// refused: the store would otherwise be made where the text cut of
// "link/.." says. Without a current folder (it was removed) a relative DIR
// is left as given, for what follows to fail on.
func dataFolder(given string) (string, error) {
	if !api.HasDotDot(given) {
		return given, nil
	}
	dir, err := api.AbsPath(given)
	if err != nil {
		return given, nil
	}
	if api.HasDotDot(dir) {
		return "", usageErrorf(`--data: the system cannot follow %s: a name before its ".." is a symbolic link that leads nowhere or round a loop, or is not there; give the folder's path without "..", or fix the link`,
			inert.Line(dir))
	}
	return dir, nil
}

// notAFolder refuses, as a usage error, a --data dir that is there and is
// not a folder (a file, a device), or whose path goes through a file:
// the sandbox cannot keep its store there. On Windows ENOTDIR is
// ERROR_PATH_NOT_FOUND, which a folder on the path not made yet gives
// too (the sandbox makes it): there only a file found on the path is.
func notAFolder(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && st.Mode().IsRegular():
		return usageErrorf("--data: %s is a file, not a folder: pick a folder for the sandbox's store (one that is missing is made)", inert.Line(dir))
	case err == nil && !st.IsDir():
		return usageErrorf("--data: %s is %s, not a folder: pick a folder for the sandbox's store (one that is missing is made)", inert.Line(dir), api.FileKind(st.Mode()))
	case errors.Is(err, syscall.ENOTDIR) && api.FileOnTheWay(dir) != "":
		return usageErrorf("--data: %s cannot be a folder: a name on its way is a file; pick a folder for the sandbox's store (one that is missing is made)", inert.Line(dir))
	}
	if link, to, ok := linkToNoFolder(dir); ok {
		// The store's folders are made through no such link (MkdirAll:
		// "file exists").
		return usageErrorf("--data: %s is a symbolic link to %s, which is not there: make that folder, or pick another for the sandbox's store",
			inert.Line(link), inert.Line(to))
	}
	return nil
}

// linkToNoFolder reports whether the nearest of dir and its parents that
// is there is a symbolic link that leads nowhere (a chain of them, too),
// and where it leads (realPath).
func linkToNoFolder(dir string) (link, to string, ok bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", false
	}
	link, _ = nearestPresent(abs)
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return "", "", false
	}
	if _, err := os.Stat(link); !errors.Is(err, fs.ErrNotExist) {
		return "", "", false
	}
	return link, realPath(link), true
}

// inOwnDataFolder says whether dir is dStor Uploader's data folder (the
// one $DSTOR_UPLOADER_HOME or the default names) or in it, through links
// too: the nearest of dir and its parents that exists, where its links
// lead, is the data folder (by identity) or has it among its parents.
// When there is no data folder yet, by path (realPath of both): the
// sandbox would make it, and the app would find the store in it.
func inOwnDataFolder(dir string) bool {
	own, err := storage.DataDirPath()
	if err != nil {
		return false
	}
	p, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	ownInfo, err := os.Stat(own)
	if err != nil {
		rel, err := filepath.Rel(realPath(own), realPath(p))
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	for p = realPath(p); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && os.SameFile(fi, ownInfo) {
			return true
		}
		if filepath.Dir(p) == p {
			return false
		}
	}
}

// realPath is the absolute path p with its links followed: where the
// nearest of p and its parents that exists leads, joined with the rest
// of p. A link there that leads nowhere yet (to a folder not made) is
// followed too, as the folder made at its target would be reached
// through it; its relative target is read from the link's real folder
// as the system reads it (linkchain.Join: a ".." after a link in it is
// read where that link leads), and a chain of more than
// linkchain.MaxLinks such links is left as it is.
func realPath(p string) string {
	for range linkchain.MaxLinks {
		base, rest := nearestPresent(p)
		if real, err := filepath.EvalSymlinks(base); err == nil {
			return filepath.Join(real, rest)
		}
		target, err := os.Readlink(base)
		if err != nil {
			return p
		}
		if !filepath.IsAbs(target) {
			dir, _ := linkchain.Split(base)
			real, err := filepath.EvalSymlinks(dir)
			if err != nil {
				return p
			}
			target = linkchain.Join(real, target)
		}
		p = target // not cleaned: nearestPresent reads it as the system does
		if rest != "" {
			p += string(filepath.Separator) + rest
		}
	}
	return p
}

// nearestPresent splits the absolute path p into the nearest of p and
// its parents that is there (a link that leads nowhere is), and the rest:
// names not there, so cleaning the rest moves nothing. Parents are taken
// as the system reads p (linkchain.Split), which may not be cleaned.
func nearestPresent(p string) (base, rest string) {
	base = p
	for _, err := os.Lstat(base); err != nil; _, err = os.Lstat(base) {
		dir, name := linkchain.Split(base)
		if dir == base {
			break
		}
		rest = filepath.Join(name, rest)
		base = dir
	}
	return base, rest
}

// runSandbox serves until Ctrl+C, SIGTERM or the end of ctx, then shuts
// the server down; a second Ctrl+C meanwhile ends it at once.
func runSandbox(ctx context.Context, cio IO, o sandboxOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	ctx, _, stop := interrupts(ctx)
	defer stop()
	logf := timestampedLog(cio.Err)
	srv, err := sandbox.New(sandbox.Config{DataDir: o.dataDir, MaxUploadSize: o.maxUploadSize, Logf: logf, ForgetUploads: true})
	if err != nil {
		return sandboxError(err)
	}
	defer srv.Close()
	for _, fault := range o.faults {
		srv.InjectFault(fault)
		logf("dstor-uploader sandbox: fault injected: %s", fault)
	}
	url, err := srv.Start(o.listen) // first, so a refused address fails fast
	if err != nil {
		return fmt.Errorf("--listen: %w", sandboxError(err))
	}
	acc, err := srv.CreateAccount(o.email, o.password)
	if err != nil {
		return fmt.Errorf("--email: %w", sandboxError(err))
	}
	key := o.apiKey
	if key == "" {
		key, err = srv.CreateAPIKey(acc.ID, time.Time{})
	} else {
		err = srv.AddAPIKey(acc.ID, key, time.Time{})
	}
	if err != nil {
		return sandboxError(err)
	}
	fmt.Fprintf(cio.Out, "API base: %s\nAPI key: %s\nEmail: %s\nPassword: %s\nGateway: %s/ipfs/\n",
		url, key, acc.Email, o.password, url)
	logf("dstor-uploader sandbox: serving on %s until Ctrl+C", url)

	<-ctx.Done()
	// A second Ctrl+C while the uploads still being sent finish ends the
	// process at once, as for upload (runQueue): Ctrl+C is the system's
	// again.
	stop()
	logf("dstor-uploader sandbox: shutting down")
	return sandboxError(srv.Close())
}

// packagePrefix begins the sandbox package's errors, as Go's errors name
// their package; the command's own name ("dstor-uploader sandbox:")
// already says it.
const packagePrefix = "sandbox: "

// sandboxError is err, an error of the sandbox package, as the command
// prints it: without the package's prefix, so the line does not read
// "dstor-uploader sandbox: sandbox: …". nil for nil.
func sandboxError(err error) error {
	if err == nil {
		return nil
	}
	return &unprefixedError{err}
}

// unprefixedError is an error of the sandbox package without its prefix.
type unprefixedError struct{ err error }

func (e *unprefixedError) Error() string { return strings.TrimPrefix(e.err.Error(), packagePrefix) }

func (e *unprefixedError) Unwrap() error { return e.err }

// timestampedLog is the sandbox's request log: one line per call with the
// time, safe for the handlers' many goroutines.
func timestampedLog(w io.Writer) func(format string, args ...any) {
	var mu sync.Mutex
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
}
