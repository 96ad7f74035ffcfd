"""The names of the journal's background jobs, as their JobRun rows record them."""

EXPORT_JOB = "export-trades"
ANALYZE_JOB = "analyze-trades"
