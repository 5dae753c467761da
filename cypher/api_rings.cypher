// purpose: The detected rings, riskiest first, one page (GET /rings).
// parameters: $min_score (float): least ring score; $skip (int), $limit (int): the page.
// returns: one row: total (int: rings with score >= $min_score), items (list of maps: id,
//   score, companies, persons, reasons).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (r:Ring)
WHERE r.score >= $min_score
WITH r ORDER BY r.score DESC, r.id
WITH collect(r) AS found
RETURN size(found) AS total,
       [r IN found[$skip..($skip + $limit)] |
         r {.id, .score, .companies, .persons, .reasons}] AS items
