// purpose: Change an alert's state and/or note, only if its current state allows the
//   change and nobody changed it since it was read (checked here after taking the alert's
//   write lock, so of two handlers racing exactly one wins and the other changes nothing,
//   whether they change its state, its note or its assignee), and keep
//   the change in its history. The label (the GNN's training target) follows the state:
//   true for confirmed or disposed, false for dismissed, absent otherwise.
// parameters: $id (string): Alert.id; $state (string): the new state (the current one when
//   only the note changes); $from (list of string): states the change is allowed from;
//   $version (string): the alert's updated_at as read before the change ('' before any):
//   a change made by someone else meanwhile fails this one;
//   $note (string or null): the new note, null to keep it; $assignee (string or null): the
//   user it is assigned to, null to keep it (back to new clears it); $label (boolean or null);
//   $by (string): who (role and user name, or key hash); $now (string, ISO 8601);
//   $entry (string): the history line (JSON).
// returns: one row (id) when the change was made; none when the alert is missing or its
//   state (as the lock found it) forbids the change.
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (a:Alert {id: $id})
// take the alert's write lock first: a concurrent change waits here, then sees the state
// this one committed, and its WHERE fails (compare-and-set)
SET a.locked_by = $entry
REMOVE a.locked_by
WITH a
WHERE a.state IN $from AND coalesce(a.updated_at, '') = $version
SET a.state = $state, a.note = coalesce($note, a.note), a.label = $label,
    a.assignee = CASE WHEN $state = 'new' THEN null ELSE coalesce($assignee, a.assignee) END,
    a.updated_at = $now, a.updated_by = $by, a.history = coalesce(a.history, []) + [$entry]
RETURN a.id AS id
