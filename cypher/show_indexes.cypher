// purpose: The indexes in force (range, text, fulltext, lookup), to check a migration.
// parameters: none
// returns: one row per index: name, type, entity_type, labels (list), properties (list), state.
// timeout: 10 s (answers an API request: past it the request gets 504)
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state
RETURN name, type, entityType AS entity_type, labelsOrTypes AS labels, properties, state
ORDER BY name
