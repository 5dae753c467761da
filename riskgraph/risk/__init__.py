"""Risk scoring, pure functions over the snapshot: contagion propagation and evidence
paths, rings, the score's components and levels, reasons as data (``codes``), the whole
analysis (``analysis``), evaluation against a province's truth and baselines."""
