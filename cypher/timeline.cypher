// purpose: Timeline of entity $id (a company or a person) and its direct neighbours: the
//   events, holdings (HOLDS) and offices (OFFICER_OF) of $id and of every node one hop
//   away over HOLDS, OFFICER_OF or a business tie (GUARANTEE, LOAN, TRADE, BRANCH, RENT,
//   CREDITOR), in either direction. Items are listed in date order, oldest first; items
//   with no date are kept and sort last. A timeline is history: holdings and offices that
//   have ended are listed too, each with a second item on its `until` day (kind
//   'holding_ended' or 'office_ended'), and neighbours over ended relationships count. As
//   of $as_of: events dated after it, relationships (and neighbours over them) whose
//   `since` is after it, and ends after it are left out (undated ones stay), so the
//   timeline is what was known on that day. Each HOLDS or OFFICER_OF edge is one item (two
//   once ended) even when both its ends are in the neighbourhood.
// parameters: $id (string): Company.id or Person.id.
//   $as_of (date or null): the cut-off date (inclusive); null = no limit (the investigation
//   passes today by default).
//   $limit (int, e.g. 200): most rows returned (the oldest first, undated last).
// returns: one row per item: date (date or null: the event's date, the edge's since, or
//   for an *_ended item its until), kind ('event', 'holding', 'office', 'holding_ended' or
//   'office_ended'), subject_id and subject_name (the company with the event, the holder,
//   the officer), object_id and object_name (for an event its
//   Event.id and type; else the company held or served), detail (map: event {type,
//   severity, description}; holding {share, amount}; office {role}), is_self (boolean:
//   the item concerns $id itself, as the event's company or an end of the edge, rather
//   than only a neighbour). Ordered by date (nulls last), then is_self first, kind,
//   subject_id, object_id.
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (x:Company {id: $id}) RETURN x
  UNION
  MATCH (x:Person {id: $id}) RETURN x
}
WITH x, COLLECT {
  RETURN x AS n
  UNION
  MATCH (x)-[r:HOLDS|OFFICER_OF|GUARANTEE|LOAN|TRADE|BRANCH|RENT|CREDITOR]-(n)
  WHERE $as_of IS NULL OR r.since IS NULL OR r.since <= $as_of
  RETURN n
} AS around
CALL (x, around) {
  UNWIND around AS n
  MATCH (n)-[:HAS_EVENT]->(e:Event)
  WHERE $as_of IS NULL OR e.date IS NULL OR e.date <= $as_of
  RETURN e.date AS date,
         'event' AS kind,
         n.id AS subject_id,
         n.name AS subject_name,
         e.id AS object_id,
         e.type AS object_name,
         {type: e.type, severity: e.severity, description: e.description} AS detail,
         n = x AS is_self
  UNION ALL
  UNWIND around AS n
  MATCH (n)-[r:HOLDS|OFFICER_OF]-()
  WITH DISTINCT x, r
  WHERE $as_of IS NULL OR r.since IS NULL OR r.since <= $as_of
  WITH x, r, startNode(r) AS s, endNode(r) AS o
  UNWIND [false, true] AS ended
  WITH x, r, s, o, ended
  WHERE NOT ended OR (r.until IS NOT NULL AND ($as_of IS NULL OR r.until <= $as_of))
  RETURN CASE WHEN ended THEN r.until ELSE r.since END AS date,
         CASE type(r) WHEN 'HOLDS' THEN 'holding' ELSE 'office' END
           + CASE WHEN ended THEN '_ended' ELSE '' END AS kind,
         s.id AS subject_id,
         s.name AS subject_name,
         o.id AS object_id,
         o.name AS object_name,
         CASE type(r)
           WHEN 'HOLDS' THEN {share: r.share, amount: r.amount}
           ELSE {role: r.role}
         END AS detail,
         (s = x OR o = x) AS is_self
}
RETURN date, kind, subject_id, subject_name, object_id, object_name, detail, is_self
ORDER BY date IS NULL, date, is_self DESC, kind, subject_id, object_id
LIMIT $limit
