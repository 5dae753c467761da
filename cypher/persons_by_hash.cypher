// purpose: The Person already in the graph for each resident-ID hash, so that a new row
//   with the same ID number becomes an alias of that person, not a second one.
// parameters: $hashes (list of string): id_hash values to look up.
// returns: one row per hash found: hash (string), id (string; the smallest id if several).
// time budget: about 1 s per 10,000 hashes (the id_hash index).
// timeout: 600 s (one batch of the pipeline)
UNWIND $hashes AS hash
MATCH (p:Person {id_hash: hash})
RETURN hash, min(p.id) AS id
