// purpose: Change an alert's state and/or note, only if its current state allows the
//   change (checked here, in the same transaction, so two handlers cannot race), and keep
//   the change in its history. The label (the GNN's training target) follows the state:
//   true for confirmed or disposed, false for dismissed, absent otherwise.
// parameters: $id (string): Alert.id; $state (string): the new state (the current one when
//   only the note changes); $from (list of string): states the change is allowed from;
//   $note (string or null): the new note, null to keep it; $label (boolean or null);
//   $by (string): who (role and key hash); $now (string, ISO 8601); $entry (string): the
//   history line (JSON).
// returns: nothing (write counters: no property set when the alert is missing or its state
//   forbids the change).
MATCH (a:Alert {id: $id})
WHERE a.state IN $from
SET a.state = $state, a.note = coalesce($note, a.note), a.label = $label,
    a.updated_at = $now, a.updated_by = $by, a.history = coalesce(a.history, []) + [$entry]
