// purpose: Whether Neo4j answers a query at all (GET /ready, at most every few seconds).
// parameters: none.
// returns: one row: ok (true).
// time budget: 1 ms.
// timeout: 2 s (a readiness probe must answer quickly, whatever the database is doing)
RETURN true AS ok
