// purpose: Equity penetration (股权穿透) of company $id: every upstream holder, direct or
//   indirect, with its effective ownership = the product of `share` along each HOLDS chain
//   from the holder down to the company, summed over all chains; one row per holder. The
//   search is equity_penetration_page's (see there; the two files share the query up to
//   the marked line, a test holds them to it): simple chains only (no node twice), so a
//   circular holding never loops or inflates the sum; at most 10 hops; a chain whose
//   product is under the floor max($threshold / 100, 0.0001) is counted for its holder but
//   not followed further; at most 20,000 chains examined, strongest first. Every row also
//   carries how far the search went; when no holder reaches $threshold there is no row, so
//   callers that must know whether the search was cut read equity_penetration_page.
//   A HOLDS edge without `share` counts as 0 (its chains contribute 0, are counted in
//   `chains` and listed last in `paths`). As of $as_of: only HOLDS edges in force on that
//   day count (since null or <= $as_of, until null or > $as_of; `until` is exclusive), so
//   a change of share uses the share of that day and an ended holding counts for nothing.
// parameters: $id (string): Company.id of the company to penetrate.
//   $as_of (date): the day whose holdings count (the callers' default: today).
//   $threshold (float, caller default 0.25): least effective share (a fraction) returned;
//   pass 0.0 for every holder; it also sets the pruning floor.
//   $max_chains (int, e.g. 5): most chains listed in `paths` per holder.
// returns: one row per holder whose effective_share >= $threshold, ordered by
//   effective_share descending, then holder_id: holder_id (string), holder_label
//   ('Company' or 'Person'), holder_name (string or null), effective_share (float),
//   chains (int: simple HOLDS chains from the holder to $id that were examined),
//   paths (list of at most $max_chains chains, strongest first; each chain is a list of
//   maps {id, name, share} from the holder down to $id, where share is the fraction that
//   element holds in the next one, null when absent and on the last element, $id),
//   ultimate (boolean: nobody holds the holder on $as_of, i.e. an ultimate controller);
//   and, the same on every row, the search's capped (boolean), examined (int),
//   pruned_chains (int), pruned_share (float) and floor (float), as in
//   equity_penetration_page.
// timeout: 10 s (answers an API request: past it the request gets 504)
OPTIONAL MATCH (target:Company {id: $id})
WITH target,
     CASE WHEN $threshold / 100.0 > 0.0001 THEN $threshold / 100.0 ELSE 0.0001 END AS floor
// The search: `found` lists every chain examined, hop by hop, each as {nodes: [$id ... its
// holder], rels: [the HOLDS edges, $id's first], p: the product of their shares}; the
// chains of the last hop, found[start..], are the frontier that the next hop extends.
WITH floor,
     reduce(
       s = {found: CASE WHEN target IS NULL THEN [] ELSE [{nodes: [target], rels: [], p: 1.0}] END,
            start: 0, capped: false},
       hop IN range(1, 10) |
       CASE WHEN s.capped OR s.start = size(s.found) THEN s ELSE
         [grown IN [COLLECT {
            UNWIND s.found[s.start..] AS c
            WITH c, last(c.nodes) AS top
            WHERE c.p >= floor
            ORDER BY c.p DESC
            MATCH (top)<-[r:HOLDS]-(holder)
            WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
              AND NOT holder IN c.nodes
            RETURN {nodes: c.nodes + holder, rels: c.rels + r,
                    p: c.p * coalesce(toFloat(r.share), 0.0)} AS chain
            LIMIT 20001
          }] |
          // found holds $id's own entry besides the chains: 20,001 entries = 20,000 chains.
          {found: s.found + grown[..20001 - size(s.found)],
           start: size(s.found),
           capped: size(grown) > 20001 - size(s.found)}][0]
       END) AS search
WITH floor, search.capped AS capped, search.found[1..] AS found
CALL (found, floor) {
  UNWIND found AS c
  WITH c, last(c.nodes) AS top
  WHERE (c.p < floor OR size(c.rels) = 10)
    AND EXISTS {
      (top)<-[r:HOLDS]-(above)
      WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
        AND NOT above IN c.nodes
    }
  RETURN count(c) AS pruned_chains, toFloat(sum(c.p)) AS pruned_share
}
CALL (found) {
  UNWIND found AS c
  WITH c, last(c.nodes) AS holder
  ORDER BY c.p DESC, size(c.rels), [n IN reverse(c.nodes) | n.id]
  WITH holder,
       sum(c.p) AS effective_share,
       count(*) AS chains,
       [c IN collect(c)[..$max_chains] | {nodes: reverse(c.nodes), rels: reverse(c.rels)}]
         AS strongest
  WHERE effective_share >= $threshold
  ORDER BY effective_share DESC, holder.id
  RETURN collect({
    holder_id: holder.id,
    holder_label: CASE WHEN holder:Company THEN 'Company' ELSE 'Person' END,
    holder_name: holder.name,
    effective_share: effective_share,
    chains: chains,
    paths: [chain IN strongest |
      [i IN range(0, size(chain.rels)) |
        {id: chain.nodes[i].id, name: chain.nodes[i].name, share: chain.rels[i].share}]],
    ultimate: NOT EXISTS {
      (holder)<-[h:HOLDS]-()
      WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
    }
  }) AS holders
}
// ---- equity_penetration and equity_penetration_page are the same query up to here ----
UNWIND holders AS h
RETURN h.holder_id AS holder_id,
       h.holder_label AS holder_label,
       h.holder_name AS holder_name,
       h.effective_share AS effective_share,
       h.chains AS chains,
       h.paths AS paths,
       h.ultimate AS ultimate,
       capped, size(found) AS examined, pruned_chains, pruned_share, floor
ORDER BY effective_share DESC, holder_id
