// purpose: The fingerprint of the key the graph's resident-ID hashes were made under, so
//   that ingest refuses a load under another key instead of silently mixing hashes.
// parameters: none
// returns: one row: fingerprint (string, null when none is recorded), hashed (boolean:
//   whether any Person already carries an id_hash).
// time budget: milliseconds (one node by its name; the id_hash index answers hashed).
// timeout: 10 s (answers an API request: past it the request gets 504)
OPTIONAL MATCH (m:Meta {name: 'id_key'})
WITH m.fingerprint AS fingerprint
RETURN fingerprint, EXISTS { MATCH (p:Person) WHERE p.id_hash IS NOT NULL } AS hashed
