// purpose: Every person id that was merged into another Person (same resident ID), with
//   the id it resolves to: references to an alias attach to that person.
// parameters: none
// returns: one row per alias: alias (string), id (string).
// time budget: a scan of Person (under 1 s for 650,000 persons); run once per ingest.
// timeout: 600 s (one batch of the pipeline)
MATCH (p:Person)
WHERE p.aliases IS NOT NULL
UNWIND p.aliases AS alias
RETURN alias, p.id AS id
