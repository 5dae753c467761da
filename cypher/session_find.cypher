// purpose: The web app session a cookie names, if it has not expired (every request signed
//   in through the web app reads this once).
// parameters: $token_hash (string): SHA-256 hex of the cookie's token; $now (string, ISO
//   8601 UTC).
// returns: zero or one row: role, name, key_hash, csrf, expires_at (strings; name may be
//   null).
// time budget: 5 ms.
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (s:Session {token_hash: $token_hash})
WHERE s.expires_at > $now
RETURN s.role AS role, s.name AS name, s.key_hash AS key_hash, s.csrf AS csrf,
       s.expires_at AS expires_at
