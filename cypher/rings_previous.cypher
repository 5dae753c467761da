// purpose: The current run's rings with their member companies, and the highest ring number
//   ever issued, from which this run's ring ids are carried over or newly numbered
//   (riskgraph.risk.ring_ids). Rings are few (thousands at a province), members tens of
//   thousands: well under a second.
// parameters: none
// returns: one row: rings (list of map: id, companies (list of Company.id)), issued (int:
//   the highest RingRun.serial or Ring.serial, 0 when none).
// timeout: 600 s (one batch of the pipeline)
CALL () {
  MATCH (r:Ring)
  RETURN collect({id: r.id, companies: COLLECT { MATCH (c:Company)-[:MEMBER_OF]->(r) RETURN c.id }})
    AS rings, max(r.serial) AS current_max
}
CALL () {
  MATCH (h:RingRun)
  RETURN max(h.serial) AS history_max
}
RETURN rings, coalesce(
  CASE WHEN coalesce(current_max, 0) > coalesce(history_max, 0) THEN current_max
       ELSE history_max END, 0) AS issued
