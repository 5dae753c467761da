// purpose: Upsert companies by id (ingest), keeping the history of their attributes: each
//   present value that differs from a stored one is recorded as an AttributeChange node
//   (field, old, new, the delivery's date), connected to nothing, before it is
//   overwritten. A value filled in where none was stored, or an unchanged one, records
//   nothing, so re-running with the same rows changes nothing. The name's search forms
//   (search_name, name_initials: riskgraph.search_text) follow the name, unrecorded.
// parameters: $rows (list of map): {id, props}; props holds only the present properties
//   (uscc, name, search_name, name_initials, status, established, registered_capital, paid_in_capital, industry,
//   region, region_name). $delivered (date): the delivery's date (AttributeChange.date).
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MERGE (c:Company {id: row.id})
WITH c, row, [k IN keys(row.props)
  WHERE c[k] IS NOT NULL AND c[k] <> row.props[k] AND NOT k IN ['search_name', 'name_initials']
  | {field: k, old: c[k], new: row.props[k]}] AS changes
SET c += row.props
WITH c, changes
UNWIND changes AS change
CREATE (:AttributeChange {
  id: randomUUID(), entity_id: c.id, label: 'Company', field: change.field,
  old: change.old, new: change.new, date: $delivered
})
