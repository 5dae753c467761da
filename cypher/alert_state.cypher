// purpose: The current state of one alert (to tell a missing alert from a forbidden change).
// parameters: $id (string): Alert.id.
// returns: one row when it exists: state (string), version (string: its last change's
//   time, '' before any; a change compares it, so two racing changes cannot both apply).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (a:Alert {id: $id})
RETURN a.state AS state, coalesce(a.updated_at, '') AS version
