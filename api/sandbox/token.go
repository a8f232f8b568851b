package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTokenLifetime is how long a token lives when the request has no
// x-expiration header: one year, as dStor's docs say.
const DefaultTokenLifetime = 365 * 24 * time.Hour

// tokenAudience is both the aud and iss claim of dStor's tokens.
const tokenAudience = "dstor.cloud"

// claims is dStor's payload, fields in the order the official guide shows
// (aud a string, not an array). D, O, S and T have an unknown meaning and
// are only carried. It is a jwt.Claims, for golang-jwt to sign and check.
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

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c claims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Iat, 0)), nil
}
func (c claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c claims) GetIssuer() (string, error)              { return c.Iss, nil }
func (c claims) GetSubject() (string, error)             { return c.Sub, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error)  { return jwt.ClaimStrings{c.Aud}, nil }

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
//
// Config.MaxTokenLifetime, when set, caps the result.
func (s *Server) tokenExpiry(r *http.Request, now time.Time) (int64, error) {
	exp, err := requestedExpiry(r, now)
	if err == nil && s.maxTokens > 0 {
		exp = min(exp, now.Add(s.maxTokens).Unix())
	}
	return exp, err
}

// requestedExpiry is the exp a token request asks for.
func requestedExpiry(r *http.Request, now time.Time) (int64, error) {
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

// requestExpiry is the time now and the exp claim a token request asks for
// (tokenExpiry); a bad x-expiration is answered with 400 and ok false.
func (s *Server) requestExpiry(w http.ResponseWriter, r *http.Request) (now time.Time, exp int64, ok bool) {
	now = s.now()
	exp, err := s.tokenExpiry(r, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_expiration", err.Error())
		return now, 0, false
	}
	return now, exp, true
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
	now, exp, ok := s.requestExpiry(w, r)
	if !ok {
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
	now, exp, ok := s.requestExpiry(w, r)
	if !ok {
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
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.secret)
	if err != nil {
		return "", fmt.Errorf("sign a token: %w", err)
	}
	return tok, nil
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

// authenticate checks the bearer token (golang-jwt: HS256 signature with
// the server's secret, issuer, audience, an expiry that has not passed)
// and that its account still exists, and returns the account ID.
func (s *Server) authenticate(r *http.Request) (string, *tokenError) {
	auth := r.Header.Get("Authorization")
	scheme, tok, found := strings.Cut(auth, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", errNoToken
	}
	var c claims
	_, err := jwt.ParseWithClaims(strings.TrimSpace(tok), &c, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithTimeFunc(s.now),
		jwt.WithAudience(tokenAudience), jwt.WithIssuer(tokenAudience), jwt.WithExpirationRequired())
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenInvalidAudience) && !errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "", errExpiredToken // otherwise good: say it expired
	default:
		return "", errBadToken
	}
	if !s.accountExists(c.Sub) {
		return "", errBadToken
	}
	return c.Sub, nil
}
