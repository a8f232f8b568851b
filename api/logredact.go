package api

import (
	"io"
	"sync"
)

// loggedSecrets is every secret the clients of this process sent (API
// keys, passwords, tokens), newest last, bounded: what RedactingWriter
// hides. net/http's transport writes a server's stray bytes to the
// standard logger ("Unsolicited response received on idle HTTP channel
// starting with …"), out of reach of the messages this package sanitizes,
// and a hostile server can put the key it was sent in them.
var loggedSecrets struct {
	sync.Mutex
	list []string
}

// rememberForLog adds secret to loggedSecrets.
func rememberForLog(secret string) {
	if secret == "" {
		return
	}
	loggedSecrets.Lock()
	defer loggedSecrets.Unlock()
	for _, s := range loggedSecrets.list {
		if s == secret {
			return
		}
	}
	if len(loggedSecrets.list) == maxRedactions {
		loggedSecrets.list = loggedSecrets.list[1:]
	}
	loggedSecrets.list = append(loggedSecrets.list, secret)
}

// RedactingWriter returns a writer for the standard logger (log.SetOutput)
// that passes each write on to w with every secret this process's clients
// sent, and anything shaped like a token, replaced by "***": libraries
// log server text there (net/http does), and logs end up in terminals and
// CI output.
func RedactingWriter(w io.Writer) io.Writer { return redactingWriter{w} }

type redactingWriter struct{ w io.Writer }

// Write always reports len(p) written when w took the redacted text, as
// the logger expects of a writer that changes what it writes.
func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redactLogged(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactLogged is s with every secret this process's clients sent, and
// anything shaped like a token, replaced by "***": for text a library
// wrote from a server's bytes.
func redactLogged(s string) string {
	loggedSecrets.Lock()
	secrets := append([]string(nil), loggedSecrets.list...)
	loggedSecrets.Unlock()
	return jwtPattern.ReplaceAllString(redactSecrets(s, secrets), redacted)
}
