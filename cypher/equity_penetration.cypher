// purpose: Equity penetration (股权穿透) of company $id: every upstream holder, direct or
//   indirect, with its effective ownership = the product of `share` along each HOLDS chain
//   from the holder down to the company, summed over all chains. Only simple chains count
//   (no node twice in a chain), so a circular holding never loops or inflates the sum; a
//   holder inside a cycle still gets each of its simple chains once. Limits: chains are
//   at most 10 hops (a literal bound; longer chains are ignored); a HOLDS edge without
//   `share` counts as 0, so every chain through it contributes 0 (it is still counted in
//   `chains` and listed last in `paths`). Parallel HOLDS edges in force on one day
//   (none from a bundle since holdings are keyed by holder and company) would add up. As of $as_of: only HOLDS edges in force on that
//   day count (since null or <= $as_of, until null or > $as_of; `until` is exclusive), so a
//   change of share (the old edge closed, a new one opened) uses the share of that day and
//   an ended holding counts for nothing.
// parameters: $id (string): Company.id of the company to penetrate.
//   $as_of (date): the day whose holdings count (the callers' default: today).
//   $threshold (float, caller default 0.25): least effective share (a fraction) returned;
//   pass 0.0 for every holder.
//   $max_chains (int, e.g. 5): most chains listed in `paths` per holder.
// returns: one row per holder whose effective_share >= $threshold, ordered by
//   effective_share descending, then holder_id: holder_id (string), holder_label
//   ('Company' or 'Person'), holder_name (string or null), effective_share (float),
//   chains (int: number of simple HOLDS chains from the holder to $id, within 10 hops),
//   paths (list of at most $max_chains chains, strongest first; each chain is a list of
//   maps {id, name, share} from the holder down to $id, where share is the fraction that
//   element holds in the next one, null when absent and on the last element, $id),
//   ultimate (boolean: nobody holds the holder on $as_of, i.e. an ultimate controller).
MATCH (target:Company {id: $id})
MATCH chain = (holder)-[:HOLDS*1..10]->(target)
WHERE all(r IN relationships(chain)
  WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until))
  AND all(n IN nodes(chain) WHERE single(m IN nodes(chain) WHERE m = n))
WITH holder, chain,
     reduce(product = 1.0, r IN relationships(chain) | product * coalesce(toFloat(r.share), 0.0))
       AS product
ORDER BY product DESC, length(chain), [n IN nodes(chain) | n.id]
WITH holder,
     sum(product) AS effective_share,
     count(*) AS chains,
     collect(chain)[..$max_chains] AS strongest
WHERE effective_share >= $threshold
RETURN holder.id AS holder_id,
       CASE WHEN holder:Company THEN 'Company' ELSE 'Person' END AS holder_label,
       holder.name AS holder_name,
       effective_share,
       chains,
       [chain IN strongest |
         [i IN range(0, length(chain)) |
           {id: nodes(chain)[i].id,
            name: nodes(chain)[i].name,
            share: relationships(chain)[i].share}]] AS paths,
       NOT EXISTS {
         (holder)<-[h:HOLDS]-()
         WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
       } AS ultimate
ORDER BY effective_share DESC, holder_id
