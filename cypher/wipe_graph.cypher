// purpose: Delete every node and relationship (constraints and indexes stay), in batches
//   so that a province does not need one huge transaction. `riskgraph db wipe --yes`.
// parameters: $batch (int): nodes deleted per inner transaction.
// returns: nothing. Needs an auto-commit transaction (Gateway.run_autocommit).
// timeout: 3600 s (reads or writes a whole province)
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS
