// Package api is the dStor HTTP client that the desktop window, the command
// line and the background worker all share, so every way of uploading goes
// through one tested code path.
//
// It covers what DSTOR_API.md documents:
//
//   - [Environment]: the production and testnet hosts, or a custom base URL
//     (the local sandbox). Plain http:// is refused except on loopback hosts,
//     because credentials would otherwise cross the network in clear text.
//   - [Token]: temporary access tokens from an API key
//     ([Client.TokenFromAPIKey]) or an email and password
//     ([Client.TokenFromLogin]); the JWT's exp, iat and sub are read (never
//     verified) so callers can refresh ahead of expiry.
//   - [Client.Upload]: streams one file as multipart/form-data with an exact
//     Content-Length, computes the file's CIDv0 in the same pass (see
//     [NewCIDHasher]), reports progress, honours context cancellation, and
//     compares dStor's answer with the local hash.
//   - Validation of everything a person types, before any request
//     ([ValidationError]), and typed errors for everything a caller branches
//     on ([Error], [Kind], [Retryable], [Human]).
//
// Secrets: no error string, log line or panic produced by this package
// contains an API key, token or password. Server messages are sanitized
// (the secret just sent is replaced by "***"), [Token] prints as a summary
// under every fmt verb, slog and encoding/json, and validation messages never
// echo the value being checked when it is a secret.
//
// The package imports no GUI toolkit; it depends only on the standard
// library and go-cid (CID strings). The CID is computed by the package's
// own hasher; boxo, kubo's importer, is the reference its tests compare it
// with.
package api
