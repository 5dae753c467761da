// purpose: The APOC core version, to report whether the plugin loaded.
// parameters: none
// returns: one row: version (string); fails with "Unknown function" when APOC is absent.
// timeout: 10 s (answers an API request: past it the request gets 504)
RETURN apoc.version() AS version
