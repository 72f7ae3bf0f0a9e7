"""lm-evaluation-harness task pack (installed as cec_eval.tasks)."""
