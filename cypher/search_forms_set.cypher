// purpose: Write the search forms of names (riskgraph.search_text) onto companies and
//   persons found by search_forms_missing; never an AttributeChange (they follow the name).
// parameters: $rows (list of map): {label ('Company' or 'Person'), id, search_name,
//   name_initials}.
// returns: nothing (write counters only).
// time budget: about 0.2 s per 5,000 rows (the id constraints' indexes).
// timeout: 3600 s (reads or writes a whole province)
UNWIND $rows AS row
CALL (row) {
  MATCH (n:Company {id: row.id}) WHERE row.label = 'Company'
  RETURN n
  UNION
  MATCH (n:Person {id: row.id}) WHERE row.label = 'Person'
  RETURN n
}
SET n.search_name = row.search_name, n.name_initials = row.name_initials
