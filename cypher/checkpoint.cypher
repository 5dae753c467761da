// purpose: Flush the page cache to the store now (a checkpoint), so that what follows is not
//   slowed down by the one Neo4j would start on its own after a large write: the benchmarks
//   call it after loading a province, before timing the analyses.
// parameters: none.
// returns: success, message (the procedure's).
// time budget: seconds after a province's load; milliseconds otherwise.
CALL db.checkpoint() YIELD success, message
RETURN success, message
