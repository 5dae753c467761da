// purpose: The uniqueness constraints in force, to check a migration.
// parameters: none
// returns: one row per constraint: name, type, labels (list), properties (list).
// timeout: 10 s (answers an API request: past it the request gets 504)
SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties
RETURN name, type, labelsOrTypes AS labels, properties
ORDER BY name
