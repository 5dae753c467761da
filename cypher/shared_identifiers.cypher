// purpose: For a company, every other company it shares an identifier with: a phone, an
//   address, a legal representative, an officer or a shareholder. Each identifier comes
//   with how many entities it links (its degree), so hubs (an incubator address, a
//   bookkeeping phone) show as hubs; companies listed per identifier are capped.
// parameters: $id (string): Company.id; $per_identifier (int): companies listed per
//   identifier (e.g. 20).
// returns: one row per shared identifier, rarest first: kind ('phone', 'address',
//   'legal_representative', 'officer', 'shareholder'), identifier (phone number, address key,
//   or person/company id), name, degree (int: entities attached to the identifier),
//   shared_with (int: other companies sharing it), companies (list of maps: id, name; at
//   most $per_identifier), roles (for people: this company's roles of that person).
MATCH (c:Company {id: $id})
CALL (c) {
  MATCH (c)-[:HAS_PHONE]->(x:Phone)<-[:HAS_PHONE]-(o:Company)
  WHERE o <> c
  RETURN 'phone' AS kind, x.number AS identifier, x.number AS name,
    COUNT { (x)<-[:HAS_PHONE]-() } AS degree, o, [] AS roles
  UNION ALL
  MATCH (c)-[:REGISTERED_AT]->(x:Address)<-[:REGISTERED_AT]-(o:Company)
  WHERE o <> c
  RETURN 'address' AS kind, x.key AS identifier, x.text AS name,
    COUNT { (x)<-[:REGISTERED_AT]-() } AS degree, o, [] AS roles
  UNION ALL
  MATCH (c)<-[r:OFFICER_OF]-(x:Person)-[:OFFICER_OF]->(o:Company)
  WHERE o <> c
  WITH c, x, o, collect(DISTINCT r.role) AS roles
  RETURN
    CASE WHEN 'legal_representative' IN roles
      AND EXISTS { (x)-[:OFFICER_OF {role: 'legal_representative'}]->(o) }
      THEN 'legal_representative' ELSE 'officer' END AS kind,
    x.id AS identifier, x.name AS name,
    COUNT { (x)-[:OFFICER_OF]->() } AS degree, o, roles
  UNION ALL
  MATCH (c)<-[:HOLDS]-(x)-[:HOLDS]->(o:Company)
  WHERE o <> c
  RETURN DISTINCT 'shareholder' AS kind, x.id AS identifier, x.name AS name,
    COUNT { (x)-[:HOLDS]->() } AS degree, o, [] AS roles
}
WITH kind, identifier, name, degree, roles, o ORDER BY o.id
WITH kind, identifier, name, degree, roles, collect(DISTINCT {id: o.id, name: o.name}) AS others
RETURN kind, identifier, name, degree, size(others) AS shared_with,
  others[..$per_identifier] AS companies, roles
ORDER BY degree, kind, identifier
