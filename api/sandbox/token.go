package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultTokenLifetime is how long a token lives when the request has no
// x-expiration header: one year, as dStor's docs say.
const DefaultTokenLifetime = 365 * 24 * time.Hour

// tokenAudience is both the aud and iss claim of dStor's tokens.
const tokenAudience = "dstor.cloud"

// jwtHeader is the fixed, already-encoded header of every token.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// claims is dStor's payload, fields in the order the official guide shows.
// D, O, S and T have an unknown meaning and are only carried.
type claims struct {
	D   bool    `json:"d"`
	O   bool    `json:"o"`
	S   bool    `json:"s"`
	T   *string `json:"t"`
	Iat int64   `json:"iat"`
	Exp int64   `json:"exp"`
	Aud string  `json:"aud"`
	Iss string  `json:"iss"`
	Sub string  `json:"sub"`
}

// tokenAnswer is the body of a temp-token answer.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
}

// expirationPattern is what x-expiration may hold: unix seconds, as an
// integer or with a fraction (some clients send 1677336539.25).
var expirationPattern = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,9})?$`)

// tokenExpiry returns the exp claim for a request: x-expiration when sent
// (even in the past: the token is then issued already expired, which is how
// a test gets an expired token), else now + DefaultTokenLifetime.
func (s *Server) tokenExpiry(r *http.Request, now time.Time) (int64, error) {
	v := strings.TrimSpace(r.Header.Get("x-expiration"))
	if v == "" {
		return now.Add(DefaultTokenLifetime).Unix(), nil
	}
	if !expirationPattern.MatchString(v) {
		return 0, errors.New("x-expiration must be unix seconds, e.g. 1677336539 or 1677336539.25")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("x-expiration %q is not a number of seconds", v)
	}
	return int64(math.Floor(f)), nil
}

// handleTokenFromKey answers GET /v1/dev/temp-token: a token for the
// account owning the api-key (or older x-api-key) header.
func (s *Server) handleTokenFromKey(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("api-key")
	if key == "" {
		key = r.Header.Get("x-api-key")
	}
	if key == "" {
		writeError(w, http.StatusUnauthorized, "missing_api_key", "send your API key in the api-key header")
		return
	}
	now := s.now()
	exp, err := s.tokenExpiry(r, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_expiration", err.Error())
		return
	}
	accountID, status := s.lookupKey(key)
	switch status {
	case keyOK:
	case keyExpired:
		writeError(w, http.StatusUnauthorized, "api_key_expired", "this API key has expired; create a new one")
		return
	case keyRevoked:
		writeError(w, http.StatusUnauthorized, "api_key_revoked", "this API key was revoked; create a new one")
		return
	default:
		writeError(w, http.StatusUnauthorized, "invalid_api_key", "API key rejected: check that you copied all 64 characters")
		return
	}
	s.answerToken(w, accountID, now, exp)
}

// loginRequest is the body of POST /v1/dev/temp-token.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// handleTokenFromLogin answers POST /v1/dev/temp-token: a token for the
// account whose email and password are in the JSON body.
func (s *Server) handleTokenFromLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	body := http.MaxBytesReader(w, r.Body, 64<<10)
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body", `send JSON {"email": "...", "password": "..."}`)
		return
	}
	if req.Email == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, "invalid_body", "both email and password are required")
		return
	}
	now := s.now()
	exp, err := s.tokenExpiry(r, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_expiration", err.Error())
		return
	}
	accountID, ok := s.checkLogin(req.Email, req.Password)
	if !ok {
		writeError(w, http.StatusUnauthorized, "invalid_credentials", "wrong email or password")
		return
	}
	s.answerToken(w, accountID, now, exp)
}

func (s *Server) answerToken(w http.ResponseWriter, accountID string, now time.Time, exp int64) {
	tok, err := s.signToken(claims{
		Iat: now.Unix(), Exp: exp, Aud: tokenAudience, Iss: tokenAudience, Sub: accountID,
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "could not issue a token")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenAnswer{AccessToken: tok})
}

// signToken makes an HS256 JWT of c with the server's secret.
func (s *Server) signToken(c claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode token claims: %w", err)
	}
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.mac(signed)), nil
}

func (s *Server) mac(signed string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// tokenError is why a token was refused, as the short code and message of
// the 401 answer.
type tokenError struct{ code, message string }

func (e *tokenError) Error() string { return e.message }

var (
	errNoToken      = &tokenError{"missing_token", "send Authorization: Bearer <token from /v1/dev/temp-token>"}
	errBadToken     = &tokenError{"invalid_token", "the token is not valid here: get a new one from /v1/dev/temp-token"}
	errExpiredToken = &tokenError{"token_expired", "the token has expired: get a new one from /v1/dev/temp-token"}
)

// authenticate checks the bearer token (signature with hmac.Equal, issuer,
// audience, expiry, and that the account still exists) and returns the
// account ID.
func (s *Server) authenticate(r *http.Request) (string, *tokenError) {
	auth := r.Header.Get("Authorization")
	scheme, tok, found := strings.Cut(auth, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", errNoToken
	}
	tok = strings.TrimSpace(tok)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errBadToken
	}
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", errBadToken
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(head, &h) != nil || h.Alg != "HS256" {
		return "", errBadToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac(parts[0]+"."+parts[1])) {
		return "", errBadToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errBadToken
	}
	var c struct {
		Exp *float64 `json:"exp"`
		Sub string   `json:"sub"`
		Aud string   `json:"aud"`
		Iss string   `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Exp == nil || c.Aud != tokenAudience || c.Iss != tokenAudience {
		return "", errBadToken
	}
	now := s.now()
	if float64(now.UnixNano())/1e9 >= *c.Exp {
		return "", errExpiredToken
	}
	if !s.accountExists(c.Sub) {
		return "", errBadToken
	}
	return c.Sub, nil
}
