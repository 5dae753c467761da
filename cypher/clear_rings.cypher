// purpose: Delete the Ring nodes of the previous analysis with their MEMBER_OF
//   relationships, in batches, before a new run writes its own (ring ids are per run).
// parameters: $batch (int): rings deleted per inner transaction.
// returns: nothing. Needs an auto-commit transaction (Gateway.run_autocommit).
MATCH (r:Ring)
CALL (r) { DETACH DELETE r } IN TRANSACTIONS OF $batch ROWS
