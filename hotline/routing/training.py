"""Training the category model (hotline classify train): scikit-learn's logistic regression
over the features of hotline/routing/model.py, saved as a weights file the service reads with
the standard library alone.

scikit-learn is needed here only: `pip install -e '.[train]'`. Training is deterministic: the
same examples in the same order give the same file, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from hotline.routing.corpus import Example
from hotline.routing.model import CROSS_NS, LinearModel, ModelInfo, feature_values, to_json
from hotline.routing.tokens import folded_words

# Inverse regularisation strength: larger fits the corpus more closely. Chosen by
# cross-validation on the training corpus (docs/CLASSIFIER.md).
C = 1000.0
# Weights below this (in absolute value) are left out of the file, which stays about 2 MB.
PRUNE_BELOW = 0.15
# A feature must come from at least this many narratives: a word only one narrative has (a
# name the redaction missed, a street) never reaches the weights file.
MIN_NARRATIVES = 2


def vectors(
    examples: Sequence[Example], cross_ns: tuple[int, ...] = CROSS_NS
) -> list[dict[str, float]]:
    """Each example's features, keeping those found in MIN_NARRATIVES narratives or more."""
    rows = [feature_values(folded_words(e.narrative), e.ages, cross_ns) for e in examples]
    counts = Counter(feature for row in rows for feature in row)
    return [{f: v for f, v in row.items() if counts[f] >= MIN_NARRATIVES} for row in rows]


def train(
    examples: Sequence[Example],
    *,
    trained_at: str,
    c: float = C,
    figures: dict[str, float] | None = None,
    counts: dict[str, int] | None = None,
    thresholds: tuple[float, float] = (0.5, 0.5),
    cross_ns: tuple[int, ...] = CROSS_NS,
    prune: float = PRUNE_BELOW,
) -> LinearModel:
    """A model fitted to the examples (at least two distinct labels)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [e.label for e in examples]
    if len(set(labels)) < 2:
        raise ValueError("the corpus needs at least two different categories")
    vectorizer = DictVectorizer(sort=True)
    x = vectorizer.fit_transform(vectors(examples, cross_ns))
    fit = LogisticRegression(C=c, max_iter=3000, tol=1e-6)
    fit.fit(x, labels)
    classes = [str(c) for c in fit.classes_]
    coef = fit.coef_
    if len(classes) == 2:  # binary: scikit-learn keeps one row; the model wants one per label
        coef = [[-w for w in coef[0]], list(coef[0])]
        bias = [-float(fit.intercept_[0]) / 2, float(fit.intercept_[0]) / 2]
    else:
        bias = [float(b) for b in fit.intercept_]
    names = vectorizer.get_feature_names_out()
    weights: dict[str, tuple[float, ...]] = {}
    for j, name in enumerate(names):
        row = tuple(
            w if abs(w) >= prune else 0.0 for w in (float(coef[k][j]) for k in range(len(classes)))
        )
        if any(row):
            weights[str(name)] = row
    info = ModelInfo(
        version="", trained_at=trained_at, examples=counts or {}, figures=figures or {}
    )
    model = LinearModel(
        labels=tuple(classes),
        bias=tuple(bias),
        weights=weights,
        info=info,
        category_at=thresholds[0],
        other_at=thresholds[1],
        cross_ns=cross_ns,
    )
    return _versioned(model)


def _versioned(model: LinearModel) -> LinearModel:
    """The model with its version: a hash of its labels and weights as saved."""
    content = to_json(model)
    digest = hashlib.sha256(
        json.dumps([content["labels"], content["bias"], content["weights"]]).encode()
    ).hexdigest()[:12]
    info = ModelInfo(digest, model.info.trained_at, model.info.examples, model.info.figures)
    return replace(model, info=info)


def cross_validate(
    examples: Sequence[Example], folds: int, fit: Callable[[Sequence[Example]], Any]
) -> list[tuple[Example, Any]]:
    """Each example with the model fitted on the folds it is not in. An example's fold comes
    from its group when it has one (a template's narratives stay together, so the figures
    measure wording the model has not seen), else from its place in the list."""

    def fold_of(index: int, example: Example) -> int:
        key = example.group
        return zlib.crc32(key.encode()) % folds if key else index % folds

    folds_of = [fold_of(i, e) for i, e in enumerate(examples)]
    out: list[tuple[Example, Any]] = []
    for fold in range(folds):
        held = [e for e, f in zip(examples, folds_of, strict=True) if f == fold]
        model = fit([e for e, f in zip(examples, folds_of, strict=True) if f != fold])
        out += [(e, model) for e in held]
    return out
