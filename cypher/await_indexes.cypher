// purpose: Wait until every index is online, so a migration is usable when it returns.
// parameters: $timeout_s (int): seconds to wait before failing.
// returns: nothing.
// timeout: 3600 s (reads or writes a whole province)
CALL db.awaitIndexes($timeout_s)
