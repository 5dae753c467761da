// purpose: Upsert natural persons by id (ingest). The resident ID arrives only as a hash.
// parameters: $rows (list of map): {id, props}; props among name, id_hash, birth_year.
// returns: nothing (write counters only).
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p += row.props
