// purpose: The current state of one alert (to tell a missing alert from a forbidden change).
// parameters: $id (string): Alert.id.
// returns: one row when it exists: state (string).
MATCH (a:Alert {id: $id})
RETURN a.state AS state
