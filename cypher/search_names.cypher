// purpose: GET /search's name hits: companies and persons whose search form contains the
//   query's (the cjk full-text indexes company_search and person_search: character bigrams,
//   so part of a name finds it), and those whose pinyin initials start with the query
//   when it could be initials. Ranked by the index's relevance, initials after.
// parameters: $lucene (string): a Lucene phrase query built from the query's search form,
//   special characters escaped (riskgraph.api.search); $initials (string or null): the
//   query as pinyin initials; $limit (int): at most this many of each kind.
// returns: label, id, name, level, score (the company's risk, null for persons), matched
//   ('name' or 'initials'), relevance (the full-text score; 0 for initials).
// time budget: about 20 ms on the 100,000-company province.
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  CALL db.index.fulltext.queryNodes('company_search', $lucene, {limit: $limit})
    YIELD node, score
  RETURN node AS n, 'Company' AS label, 'name' AS matched, score AS relevance
  UNION
  CALL db.index.fulltext.queryNodes('person_search', $lucene, {limit: $limit})
    YIELD node, score
  RETURN node AS n, 'Person' AS label, 'name' AS matched, score AS relevance
  UNION
  MATCH (n:Company) WHERE n.name_initials STARTS WITH $initials
  WITH n LIMIT $limit
  RETURN n, 'Company' AS label, 'initials' AS matched, 0.0 AS relevance
  UNION
  MATCH (n:Person) WHERE n.name_initials STARTS WITH $initials
  WITH n LIMIT $limit
  RETURN n, 'Person' AS label, 'initials' AS matched, 0.0 AS relevance
}
RETURN label, n.id AS id, n.name AS name, n.risk_level AS level, n.risk_score AS score,
  matched, relevance
