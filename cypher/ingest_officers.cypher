// purpose: Upsert offices (ingest): one OFFICER_OF edge per person, company and role.
// parameters: $rows (list of map): {person_id, company_id, role, props}; props among since.
// returns: nothing (write counters only).
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (c:Company {id: row.company_id})
MERGE (p)-[r:OFFICER_OF {role: row.role}]->(c)
SET r += row.props
