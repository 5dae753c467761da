// purpose: Whether the database holds no node at all: the bulk importer, which writes a
//   new database, may only be used then (ingest --initial, and a first load by default).
// parameters: none
// returns: one row: empty (boolean).
// time budget: milliseconds (the count store).
// timeout: 10 s
MATCH (n)
RETURN count(n) = 0 AS empty
