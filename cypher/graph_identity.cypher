// purpose: The graph's identity: one Meta {name: 'graph'} node holding a random id, made
//   by the first call on a graph (MERGE ... ON CREATE), kept across ingests and daily
//   deltas, deleted with everything else by wipe_graph (a reloaded graph is a new graph).
//   A GNN model records it when trained, so that it is not applied to another graph by
//   accident (riskgraph.graph.identity; the model's fingerprint of counts changes daily).
// parameters: none
// returns: one row: id (string, a UUID), created_at (datetime, when the id was made).
// time budget: milliseconds (one node by its name).
// timeout: 10 s (answers an API request: past it the request gets 504)
MERGE (m:Meta {name: 'graph'})
ON CREATE SET m.id = randomUUID(), m.created_at = datetime()
RETURN m.id AS id, m.created_at AS created_at
