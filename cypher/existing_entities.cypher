// purpose: Which of the given ids already exist in the graph under a label, so that a
//   bundle may refer to companies or persons loaded earlier.
// parameters: $label (string): 'Company' or 'Person'; $ids (list of string): ids to look up.
// returns: one row per id found: id (string).
// timeout: 600 s (one batch of the pipeline)
UNWIND $ids AS ident
CALL (ident) {
  MATCH (n:Company {id: ident}) WHERE $label = 'Company' RETURN n.id AS id
  UNION
  MATCH (n:Person {id: ident}) WHERE $label = 'Person' RETURN n.id AS id
}
RETURN id
