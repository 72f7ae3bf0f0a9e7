"""Distillation: teacher traces -> augmented data -> (Q)LoRA SFT -> Claire checkpoints (installed as
cec_eval.distill). Each step is a module with a Python API and a ``cec-eval distill`` sub-command,
and each writes a file the next one reads (docs/distill.md):

* :mod:`.sources`    shipped datasets / your JSONL -> teacher items (student prompts = task pack's)
* :mod:`.teacher`    items -> traces (OpenAI-compatible API, local transformers, or dataset rationales)
* :mod:`.filters`    drop traces whose answer disagrees with the gold label
* :mod:`.augment`    counterfactual questions + multi-view CoT (seed 003), masking in :mod:`.mask`
* :mod:`.formatting` prompt/completion records, token maps, seeded split, data report
* :mod:`.sft`        trl SFTTrainer + peft LoRA (QLoRA on CUDA), presets ``claire`` / ``cec-paper``

Heavy imports (torch, transformers, trl, spaCy) happen inside the functions that need them.
"""
