// purpose: Circular shareholdings (交叉/循环持股): simple cycles of HOLDS edges among
//   companies (no company twice in a cycle), each reported once, as a ring of companies
//   starting at its member with the smallest id and following the HOLDS direction.
//   Parallel HOLDS edges (tranches) between the same two companies make one hop, not
//   extra cycles. A company holding its own shares is a cycle of length 1. With $id the
//   search starts from that company (index lookup); with $id null it scans every company
//   (a whole-graph job, anchored at each cycle's smallest id so it is found once).
//   Limit: cycles of at most 6 hops (a literal bound; $max_length may only lower it).
//   As of $as_of: only HOLDS edges in force on that day make a cycle or add to its shares
//   (since null or <= $as_of, until null or > $as_of; `until` is exclusive).
// parameters: $id (string or null): Company.id; only cycles through it, or null for all.
//   $as_of (date): the day whose holdings count (the callers' default: today).
//   $max_length (int, 1..6, caller default 6): longest cycle returned, in hops.
// returns: one row per cycle, ordered by length then cycle: cycle (list of company ids, in
//   HOLDS order, starting at the smallest id; the last one holds the first), names (list
//   of company names, same order), length (int: hops = companies in the cycle), shares
//   (list of float or null: shares[i] is what cycle[i] holds in the next member, the sum
//   over parallel edges; null when no edge of that hop has a share).
// timeout: 3600 s (reads or writes a whole province)
CALL () {
  // One row when $id is null, none otherwise: the label scan never runs for a given $id.
  UNWIND CASE WHEN $id IS NULL THEN [true] ELSE [] END AS everything
  MATCH (anchor:Company)
  MATCH ring = (anchor)-[:HOLDS*1..6]->(anchor)
  WHERE all(n IN nodes(ring) WHERE n.id >= anchor.id)
    AND all(r IN relationships(ring)
      WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until))
  RETURN ring
  UNION ALL
  MATCH (start:Company {id: $id})
  MATCH ring = (start)-[:HOLDS*1..6]->(start)
  WHERE all(r IN relationships(ring)
    WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until))
  RETURN ring
}
WITH nodes(ring)[..-1] AS members
WHERE size(members) <= $max_length
  AND all(n IN members WHERE single(m IN members WHERE m = n))
WITH members,
     reduce(k = 0, i IN range(0, size(members) - 1) |
       CASE WHEN members[i].id < members[k].id THEN i ELSE k END) AS first
WITH DISTINCT members[first..] + members[..first] AS members
CALL (members) {
  UNWIND range(0, size(members) - 1) AS i
  WITH i, members[i] AS holder, members[(i + 1) % size(members)] AS held
  MATCH (holder)-[r:HOLDS]->(held)
  WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
  WITH i, count(r.share) AS known, sum(toFloat(r.share)) AS total
  ORDER BY i
  WITH collect({share: CASE WHEN known = 0 THEN null ELSE total END}) AS hops
  RETURN [hop IN hops | hop.share] AS shares
}
RETURN [n IN members | n.id] AS cycle,
       [n IN members | n.name] AS names,
       size(members) AS length,
       shares
ORDER BY length, cycle
