// purpose: Equity penetration (股权穿透) of company $id in one row: every upstream holder,
//   direct or indirect, with its effective ownership (the product of `share` along each HOLDS
//   chain from the holder down to $id, summed over chains), and how far the search went.
//   The same search and holders as equity_penetration, whose rows are these holders; this
//   page also answers when no holder reaches $threshold, so a caller always learns whether
//   the search was cut. The search is bounded, breadth first from $id up the HOLDS edges:
//   - only simple chains (no node twice), so a circular holding never loops or inflates
//     the sum; a holder inside a cycle gets each of its simple chains once;
//   - at most 10 hops (a literal bound; longer chains are not followed);
//   - the pruning floor: a chain whose product is under
//     floor = max($threshold / 100, 0.0001) is still counted for its holder but not
//     followed further (products only shrink). Under 1% of the threshold: where the holders
//     of each company together hold at most 100% of it, the chains that go on from an
//     unfollowed chain of product p add up to at most p for any one holder, so a holder
//     loses at most the sum of the unfollowed chains' products (pruned_share) and it takes
//     at least 100 unfollowed chains to hide a holder at the threshold. 0.0001 (0.01%) is
//     the finest floor, so that $threshold 0 (every holder) still ends;
//   - the cap: at most 20,000 chains examined (a literal bound); the strongest chains of a
//     hop are followed first, and when the cap is reached the search stops (capped), so a
//     group of shells that all hold each other cannot run for ever.
//   A HOLDS edge without `share` counts as 0: every chain through it contributes 0 (it is
//   counted in `chains` and listed last in `paths`, never followed further). Parallel HOLDS
//   edges in force on one day (none from a bundle, whose holdings are keyed by holder and
//   company) would add up. As of $as_of: only HOLDS edges in force on that day count (since
//   null or <= $as_of, until null or > $as_of; `until` is exclusive), so a change of share
//   uses the share of that day and an ended holding counts for nothing.
// parameters: $id (string): Company.id of the company to penetrate.
//   $as_of (date): the day whose holdings count (the callers' default: today).
//   $threshold (float, caller default 0.25): least effective share (a fraction) returned;
//   pass 0.0 for every holder; it also sets the pruning floor (above).
//   $max_chains (int, e.g. 5): most chains listed in `paths` per holder.
// returns: one row (holders [] and nothing examined when $id is no company):
//   holders (list of maps, one per holder whose effective_share >= $threshold, ordered by
//   effective_share descending, then holder_id: holder_id (string), holder_label ('Company'
//   or 'Person'), holder_name (string or null), effective_share (float), chains (int: the
//   simple chains from the holder to $id that were examined), paths (list of at most
//   $max_chains chains, strongest first; each a list of maps {id, name, share} from the
//   holder down to $id, where share is the fraction that element holds in the next one,
//   null when absent and on the last element, $id), ultimate (boolean: nobody holds the
//   holder on $as_of)),
//   capped (boolean: the cap stopped the search; chains beyond it were never examined, so
//   any holder may lack share and holders may be missing),
//   examined (int: chains examined, at most 20,000),
//   pruned_chains (int: examined chains not followed further although their top holder is
//   itself held on $as_of by someone not yet in the chain: product under the floor, or 10
//   hops long),
//   pruned_share (float: the sum of those chains' products, a bound on the effective share
//   any one holder may lack because of them, where no company's holders add up to more
//   than 100%; 0.0 when nothing was cut),
//   floor (float: the pruning floor used).
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
RETURN holders, capped, size(found) AS examined, pruned_chains, pruned_share, floor
