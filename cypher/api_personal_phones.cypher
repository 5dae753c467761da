// purpose: Which of these phone numbers belong to a natural person (filed by a Person):
//   the API masks those for viewers.
// parameters: $numbers (list of string): E.164 numbers.
// returns: one row per personal number: number.
// timeout: 10 s (answers an API request: past it the request gets 504)
UNWIND $numbers AS number
MATCH (t:Phone {number: number})
WHERE EXISTS { (:Person)-[:HAS_PHONE]->(t) }
RETURN DISTINCT t.number AS number
