//! Latency, energy, area and scaling reports (being built: issue 5).
