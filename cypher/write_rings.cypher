// purpose: Create the rings of an analysis run, each with the features that explain its
//   score (riskgraph analyze).
// parameters: $rows (list of map): {id, score, companies, persons, features (JSON text),
//   reasons (list of string)}.
// returns: nothing (write counters only).
UNWIND $rows AS row
MERGE (r:Ring {id: row.id})
SET r.score = row.score, r.companies = row.companies, r.persons = row.persons,
    r.features = row.features, r.reasons = row.reasons
