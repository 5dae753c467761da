"""The HTTP API (FastAPI): the company file, risk with evidence, subgraphs (JSON and an
offline pyvis page), controllers, paths, the what-if, rings and alerts. Keys and roles
(``security``), problem+json errors, the audit log, privacy masking, answers worded in the
request's language; the engine state comes from ``riskgraph.engine``."""
