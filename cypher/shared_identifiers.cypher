// purpose: For a company, every other company it shares an identifier with: a phone, an
//   address, a legal representative, an officer or a shareholder. Each identifier comes
//   with how many entities it links (its degree), so hubs (an incubator address, a
//   bookkeeping phone) show as hubs; companies listed per identifier are capped. As of
//   $as_of: only relationships in force on that day share or count (since null or
//   <= $as_of, until null or > $as_of; `until` is exclusive), so a former officer,
//   shareholder, phone or address links nothing today and adds nothing to a degree.
// parameters: $id (string): Company.id; $per_identifier (int): companies listed per
//   identifier (e.g. 20); $as_of (date): the day whose relationships count (the callers'
//   default: today).
// returns: one row per shared identifier, rarest first: kind ('phone', 'address',
//   'legal_representative', 'officer', 'shareholder'), identifier (phone number, address key,
//   or person/company id), name, degree (int: entities attached to the identifier),
//   shared_with (int: other companies sharing it), companies (list of maps: id, name; at
//   most $per_identifier), roles (for people: this company's roles of that person).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (c:Company {id: $id})
CALL (c) {
  MATCH (c)-[r1:HAS_PHONE]->(x:Phone)<-[r2:HAS_PHONE]-(o:Company)
  WHERE o <> c
    AND (r1.since IS NULL OR r1.since <= $as_of) AND (r1.until IS NULL OR $as_of < r1.until)
    AND (r2.since IS NULL OR r2.since <= $as_of) AND (r2.until IS NULL OR $as_of < r2.until)
  WITH DISTINCT x, o
  RETURN 'phone' AS kind, x.number AS identifier, x.number AS name,
    COUNT {
      (x)<-[h:HAS_PHONE]-()
      WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
    } AS degree,
    o, [] AS roles
  UNION ALL
  MATCH (c)-[r1:REGISTERED_AT]->(x:Address)<-[r2:REGISTERED_AT]-(o:Company)
  WHERE o <> c
    AND (r1.since IS NULL OR r1.since <= $as_of) AND (r1.until IS NULL OR $as_of < r1.until)
    AND (r2.since IS NULL OR r2.since <= $as_of) AND (r2.until IS NULL OR $as_of < r2.until)
  WITH DISTINCT x, o
  RETURN 'address' AS kind, x.key AS identifier, x.text AS name,
    COUNT {
      (x)<-[h:REGISTERED_AT]-()
      WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
    } AS degree,
    o, [] AS roles
  UNION ALL
  MATCH (c)<-[r:OFFICER_OF]-(x:Person)-[r2:OFFICER_OF]->(o:Company)
  WHERE o <> c
    AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    AND (r2.since IS NULL OR r2.since <= $as_of) AND (r2.until IS NULL OR $as_of < r2.until)
  WITH c, x, o, collect(DISTINCT r.role) AS roles
  RETURN
    CASE WHEN 'legal_representative' IN roles
      AND EXISTS {
        (x)-[h:OFFICER_OF {role: 'legal_representative'}]->(o)
        WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
      }
      THEN 'legal_representative' ELSE 'officer' END AS kind,
    x.id AS identifier, x.name AS name,
    COUNT {
      (x)-[h:OFFICER_OF]->()
      WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
    } AS degree,
    o, roles
  UNION ALL
  MATCH (c)<-[r1:HOLDS]-(x)-[r2:HOLDS]->(o:Company)
  WHERE o <> c
    AND (r1.since IS NULL OR r1.since <= $as_of) AND (r1.until IS NULL OR $as_of < r1.until)
    AND (r2.since IS NULL OR r2.since <= $as_of) AND (r2.until IS NULL OR $as_of < r2.until)
  RETURN DISTINCT 'shareholder' AS kind, x.id AS identifier, x.name AS name,
    COUNT {
      (x)-[h:HOLDS]->()
      WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
    } AS degree,
    o, [] AS roles
}
WITH kind, identifier, name, degree, roles, o ORDER BY o.id
WITH kind, identifier, name, degree, roles, collect(DISTINCT {id: o.id, name: o.name}) AS others
RETURN kind, identifier, name, degree, size(others) AS shared_with,
  others[..$per_identifier] AS companies, roles
ORDER BY degree, kind, identifier
