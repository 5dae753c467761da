// purpose: The company file (一企一档) served by GET /companies/{id}: attributes, score,
//   officers with roles, shareholders, holdings, business ties, identifiers (phones and
//   addresses) with how many entities share each, and events. Lists are capped at
//   $per_list items each (a hub company could have thousands of ties). As of $as_of: only
//   relationships in force on that day are listed or counted (since null or <= $as_of,
//   until null or > $as_of; `until` is exclusive), so a former officer or shareholder is
//   not there and a changed share shows once; events dated after it are left out.
// parameters: $id (string): Company.id; $per_list (int): most items per list (e.g. 500);
//   $as_of (date): the day the file is read as of (callers pass today by default).
// returns: one row (none when $id is unknown): company (map of the registry attributes),
//   score (map: risk_score, risk_level, risk_tier, scored_at, ring_id), officers (list of
//   maps: id, name, role, since), shareholders (list of maps: id, label, name, share,
//   amount, since), holdings (list of maps: id, name, share, amount, since), ties (list of
//   maps: type, outgoing, id, name, amount, since), identifiers (list of maps: kind
//   'phone' or 'address', value, text, entities = everything filed with it, companies),
//   events (list of maps: id, type, date, severity, description; newest first).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (c:Company {id: $id})
RETURN
  c {.id, .uscc, .name, .status, .established, .registered_capital, .paid_in_capital,
     .industry, .region, .region_name} AS company,
  c {.risk_score, .risk_level, .risk_tier, .scored_at, .ring_id} AS score,
  COLLECT {
    MATCH (p:Person)-[r:OFFICER_OF]->(c)
    WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    RETURN {id: p.id, name: p.name, role: r.role, since: r.since} AS item
    ORDER BY p.id, r.role LIMIT $per_list
  } AS officers,
  COLLECT {
    MATCH (h)-[r:HOLDS]->(c)
    WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    RETURN {id: h.id, label: labels(h)[0], name: h.name, share: r.share, amount: r.amount,
            since: r.since} AS item
    ORDER BY r.share DESC, h.id LIMIT $per_list
  } AS shareholders,
  COLLECT {
    MATCH (c)-[r:HOLDS]->(o:Company)
    WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    RETURN {id: o.id, name: o.name, share: r.share, amount: r.amount, since: r.since} AS item
    ORDER BY r.share DESC, o.id LIMIT $per_list
  } AS holdings,
  COLLECT {
    MATCH (c)-[r:GUARANTEE|LOAN|TRADE|BRANCH|RENT|CREDITOR]-(o:Company)
    WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    RETURN {type: type(r), outgoing: startNode(r) = c, id: o.id, name: o.name,
            amount: r.amount, since: r.since} AS item
    ORDER BY type(r), o.id LIMIT $per_list
  } AS ties,
  COLLECT {
    MATCH (c)-[r:HAS_PHONE|REGISTERED_AT]->(x)
    WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    WITH DISTINCT x
    RETURN {kind: CASE WHEN x:Phone THEN 'phone' ELSE 'address' END,
            value: coalesce(x.number, x.key), text: coalesce(x.text, x.number),
            entities: COUNT {
              (x)<-[h:HAS_PHONE|REGISTERED_AT]-()
              WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
            },
            companies: COUNT {
              (x)<-[h:HAS_PHONE|REGISTERED_AT]-(:Company)
              WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
            }} AS item
    ORDER BY item.kind, item.value LIMIT $per_list
  } AS identifiers,
  COLLECT {
    MATCH (c)-[:HAS_EVENT]->(e:Event)
    WHERE e.date IS NULL OR e.date <= $as_of
    RETURN e {.id, .type, .date, .severity, .description} AS item
    ORDER BY e.date DESC, e.id LIMIT $per_list
  } AS events
