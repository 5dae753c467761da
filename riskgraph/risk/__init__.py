"""Risk scoring on the snapshot: contagion propagation (more to come: rings, scores)."""
