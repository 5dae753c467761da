// purpose: The APOC core version, to report whether the plugin loaded.
// parameters: none
// returns: one row: version (string); fails with "Unknown function" when APOC is absent.
RETURN apoc.version() AS version
