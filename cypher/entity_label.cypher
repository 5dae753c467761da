// purpose: Which kind of entity an id names (an investigation's first check, so that an
//   unknown id is reported as unknown rather than as an empty answer).
// parameters: $id (string): Company.id, Person.id, Address.key or Phone.number.
// returns: one row per match: label (string), name (string).
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (n:Company {id: $id}) RETURN n
  UNION
  MATCH (n:Person {id: $id}) RETURN n
  UNION
  MATCH (n:Address {key: $id}) RETURN n
  UNION
  MATCH (n:Phone {number: $id}) RETURN n
}
RETURN labels(n)[0] AS label, coalesce(n.name, n.text, n.number) AS name
