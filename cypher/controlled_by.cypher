// purpose: What holder $id (a person or a company) effectively owns, the reverse of
//   equity_penetration: every company reached down HOLDS chains from $id, with effective
//   ownership = the product of `share` along each chain, summed over all chains. Same
//   rules: only simple chains (no node twice in a chain), so a circular holding never
//   loops or inflates the sum and $id never "owns" itself; at most 10 hops (a literal
//   bound; longer chains are ignored); a HOLDS edge without `share` counts as 0, so every
//   chain through it contributes 0 (still counted in `chains`, listed last in `paths`).
//   Parallel HOLDS edges in force on one day would add up. As of $as_of:
//   only HOLDS edges in force on that day count (since null or <= $as_of, until null or
//   > $as_of; `until` is exclusive): the shares of that day, no ended holding.
// parameters: $id (string): Person.id or Company.id of the holder.
//   $as_of (date): the day whose holdings count (the callers' default: today).
//   $threshold (float, caller default 0.25): least effective share (a fraction) returned;
//   pass 0.0 for every company reached.
//   $max_chains (int, e.g. 5): most chains listed in `paths` per company.
// returns: one row per company whose effective_share >= $threshold, ordered by
//   effective_share descending, then company_id: company_id (string), company_name
//   (string or null), effective_share (float), chains (int: number of simple HOLDS chains
//   from $id to the company, within 10 hops), paths (list of at most $max_chains chains,
//   strongest first; each chain is a list of maps {id, name, share} from $id down to the
//   company, where share is the fraction that element holds in the next one, null when
//   absent and on the last element, the company).
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (x:Company {id: $id}) RETURN x
  UNION
  MATCH (x:Person {id: $id}) RETURN x
}
MATCH chain = (x)-[:HOLDS*1..10]->(company:Company)
WHERE all(r IN relationships(chain)
  WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until))
  AND all(n IN nodes(chain) WHERE single(m IN nodes(chain) WHERE m = n))
WITH company, chain,
     reduce(product = 1.0, r IN relationships(chain) | product * coalesce(toFloat(r.share), 0.0))
       AS product
ORDER BY product DESC, length(chain), [n IN nodes(chain) | n.id]
WITH company,
     sum(product) AS effective_share,
     count(*) AS chains,
     collect(chain)[..$max_chains] AS strongest
WHERE effective_share >= $threshold
RETURN company.id AS company_id,
       company.name AS company_name,
       effective_share,
       chains,
       [chain IN strongest |
         [i IN range(0, length(chain)) |
           {id: nodes(chain)[i].id,
            name: nodes(chain)[i].name,
            share: relationships(chain)[i].share}]] AS paths
ORDER BY effective_share DESC, company_id
