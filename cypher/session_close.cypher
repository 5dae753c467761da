// purpose: Close a web app session (sign-out, DELETE /session): the cookie's token is no
//   longer accepted, even if a copy of it survives in a browser.
// parameters: $token_hash (string): SHA-256 hex of the cookie's token.
// returns: nothing (write counters: one node deleted when the session existed).
// time budget: 10 ms.
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (s:Session {token_hash: $token_hash})
DELETE s
