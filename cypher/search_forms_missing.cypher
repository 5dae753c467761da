// purpose: Companies and persons with a name but no search forms yet (a graph loaded before
//   search existed): the next batch for `riskgraph db migrate` to fill in
//   (riskgraph.search_text computes the forms, search_forms_set writes them).
// parameters: $batch (int): at most this many of each label.
// returns: label ('Company' or 'Person'), id, name.
// time budget: a label scan, about 1 s at 650,000 companies when none is missing.
// timeout: 3600 s (reads or writes a whole province)
CALL () {
  MATCH (n:Company) WHERE n.search_name IS NULL AND n.name IS NOT NULL
  RETURN 'Company' AS label, n.id AS id, n.name AS name LIMIT $batch
  UNION ALL
  MATCH (n:Person) WHERE n.search_name IS NULL AND n.name IS NOT NULL
  RETURN 'Person' AS label, n.id AS id, n.name AS name LIMIT $batch
}
RETURN label, id, name
