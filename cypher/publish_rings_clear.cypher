// purpose: First statement of a run's publication (one transaction with publish_rings,
//   write_ring_members, publish_ring_history and publish_run): drop every MEMBER_OF link and
//   the rings this run no longer has, so the new memberships replace the old in the same
//   commit and readers never see a graph without rings.
// parameters: $ids (list of string): the ring ids of the run being published.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
MATCH (r:Ring)
OPTIONAL MATCH (r)<-[m:MEMBER_OF]-()
DELETE m
WITH DISTINCT r
WHERE NOT r.id IN $ids
DELETE r
