// purpose: The free-text description of every event, as two aligned columns (the event
//   keys and their descriptions), for features that parse it (SMEsD lawsuits carry their
//   cause, court level and outcome there: riskgraph.gnn.smesd). The snapshot leaves
//   descriptions out: the risk engine never reads them. Not for interactive use.
// parameters: none
// returns: one row: keys (Event.id), descriptions ('' where absent), aligned.
// timeout: 600 s (one batch of the pipeline)
MATCH (e:Event)
RETURN collect(e.id) AS keys, collect(coalesce(e.description, '')) AS descriptions
