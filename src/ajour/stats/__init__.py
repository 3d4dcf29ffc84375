"""National statistics, the yearly analysis, roll-ups, charts, reports and exports."""
