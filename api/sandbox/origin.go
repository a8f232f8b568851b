package sandbox

import (
	"net"
	"net/http"
	"net/url"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// The answers to requests a web page in the person's browser may have
// sent: the sandbox listens on this computer, where a browser runs too,
// and its demo key and password are public.
const (
	// foreignHostMessage answers a Host that is not a loopback name: a page
	// whose DNS name was pointed at 127.0.0.1 after it loaded (DNS
	// rebinding) would otherwise read every answer.
	foreignHostMessage = "this sandbox answers only requests addressed to 127.0.0.1, [::1] or localhost; " +
		"another host name may be a web page that pointed its name at this computer"
	// foreignOriginMessage answers a state-changing request from a page of
	// another origin (a form post, a no-cors fetch, a preflight).
	foreignOriginMessage = "a web page of another site may not sign in or upload here; " +
		"the app, the command line and curl send no Origin and are answered"
)

// refuseForeign answers and returns true when r may come from a web page
// that must not reach the sandbox: its Host is not a loopback name, or it
// is not a GET or HEAD and its Origin is present and not the sandbox's
// own (under any loopback name, at the port the request was addressed
// to). Only the name of Host is checked, not its port: a rebinding page
// cannot choose it, and a proxy on this computer in front of the sandbox
// forwards its own port.
func refuseForeign(w http.ResponseWriter, r *http.Request) bool {
	host, port := splitHost(r.Host)
	if !api.IsLoopbackHost(host) {
		writeError(w, http.StatusMisdirectedRequest, "misdirected_request", foreignHostMessage)
		return true
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	origin, sent := r.Header["Origin"]
	if !sent || sameOrigin(origin[0], port) {
		return false
	}
	writeError(w, http.StatusForbidden, "foreign_origin", foreignOriginMessage)
	return true
}

// sameOrigin reports whether origin is this sandbox's: http:// to a
// loopback name at port (of the request's Host).
func sameOrigin(origin, port string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.User != nil || (u.Path != "" && u.Path != "/") {
		return false
	}
	h, p := splitHost(u.Host)
	return api.IsLoopbackHost(h) && p == port
}

// splitHost splits a Host header or an origin's host into its name
// (without IPv6 brackets) and port, 80 when it names none.
func splitHost(hostport string) (host, port string) {
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		if p == "" {
			p = "80"
		}
		return h, p
	}
	u := url.URL{Host: hostport}
	return u.Hostname(), "80"
}
