// purpose: The indexes in force (range, text, fulltext, lookup), to check a migration.
// parameters: none
// returns: one row per index: name, type, entity_type, labels (list), properties (list), state.
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state
RETURN name, type, entityType AS entity_type, labelsOrTypes AS labels, properties, state
ORDER BY name
