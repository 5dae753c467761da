// purpose: Open a web app session (POST /session): store the hash of its cookie token with
//   who it names, and drop sessions that have expired (sign-ins are rare, so this keeps the
//   label small without a sweeper).
// parameters: $token_hash (string): SHA-256 hex of the cookie's token; $role (string);
//   $user_name (string or null); $key_hash (string); $csrf (string); $now (string, ISO 8601 UTC);
//   $expires_at (string, ISO 8601 UTC).
// returns: nothing.
// time budget: 20 ms.
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (old:Session) WHERE old.expires_at <= $now
  DELETE old
}
CREATE (:Session {token_hash: $token_hash, role: $role, name: $user_name, key_hash: $key_hash,
                  csrf: $csrf, created_at: $now, expires_at: $expires_at})
