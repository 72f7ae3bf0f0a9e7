"""Distillation: teacher traces -> augmented data -> (Q)LoRA SFT -> Claire checkpoints (installed as cec_eval.distill)."""
