// purpose: Change an alert's state and/or note, only if its current state allows the
//   change (checked here, in the same transaction, so two handlers cannot race), and keep
//   the change in its history. The label (the GNN's training target) follows the state:
//   true for confirmed or disposed, false for dismissed, absent otherwise.
// parameters: $id (string): Alert.id; $state (string): the new state (the current one when
//   only the note changes); $from (list of string): states the change is allowed from;
//   $note (string or null): the new note, null to keep it; $assignee (string or null): the
//   user it is assigned to, null to keep it (back to new clears it); $label (boolean or null);
//   $by (string): who (role and user name, or key hash); $now (string, ISO 8601); $entry (string): the
//   history line (JSON).
// returns: nothing (write counters: no property set when the alert is missing or its state
//   forbids the change).
MATCH (a:Alert {id: $id})
WHERE a.state IN $from
SET a.state = $state, a.note = coalesce($note, a.note), a.label = $label,
    a.assignee = CASE WHEN $state = 'new' THEN null ELSE coalesce($assignee, a.assignee) END,
    a.updated_at = $now, a.updated_by = $by, a.history = coalesce(a.history, []) + [$entry]
