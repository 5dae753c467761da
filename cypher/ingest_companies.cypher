// purpose: Upsert companies by id (ingest). Re-running with the same rows changes nothing.
// parameters: $rows (list of map): {id, props}; props holds only the present properties
//   (uscc, name, status, established, registered_capital, paid_in_capital, industry,
//   region, region_name).
// returns: nothing (write counters only).
UNWIND $rows AS row
MERGE (c:Company {id: row.id})
SET c += row.props
