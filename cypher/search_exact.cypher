// purpose: GET /search's exact hits: a company by id or USCC, a person by id, a company or
//   person whose search form (riskgraph.search_text) is exactly the query's.
// parameters: $q (string): the query as typed, trimmed; $uscc (string or null): the query
//   as a valid USCC, compacted; $form (string): the query's search form; $limit (int).
// returns: label, id, name, level, score (the company's risk, null for persons), matched
//   ('id', 'uscc' or 'name').
// time budget: milliseconds (unique constraints' and the search_name indexes).
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (n:Company {id: $q}) RETURN n, 'Company' AS label, 'id' AS matched
  UNION
  MATCH (n:Company {uscc: $uscc}) RETURN n, 'Company' AS label, 'uscc' AS matched
  UNION
  MATCH (n:Person {id: $q}) RETURN n, 'Person' AS label, 'id' AS matched
  UNION
  MATCH (n:Company {search_name: $form}) RETURN n, 'Company' AS label, 'name' AS matched
  UNION
  MATCH (n:Person {search_name: $form}) RETURN n, 'Person' AS label, 'name' AS matched
}
RETURN label, n.id AS id, n.name AS name, n.risk_level AS level, n.risk_score AS score,
  matched
LIMIT $limit
