"""The category model: a linear model (multinomial logistic regression) read from a weights
file that ships with the rules (routing_rules/classifier/model.json).

Its features, computed the same way when training and when serving:
- character n-grams (3 to 5 letters) of each folded word with a space either side, so
  "danh", "đánh" and "đánhhh" share most of theirs and a misspelling loses only a few;
- character n-grams (4 and 5 characters) that cross the space between two words ("o du",
  "g dan"), so a phrase ("bo duong danh") counts whatever the words around it; files
  trained before these existed say so (no "cross_ns"), and are served without them;
- the folded words and pairs of neighbouring words;
- the age band of the youngest person (child under 16, minor 16-17, adult, none known).
Text features are present or absent, scaled by one over the square root of their number (the
vector has unit length), so a long narrative is not more certain than a short one.

Each label is a category or "category/sub-category"; a category's probability is the sum of
its labels'. Serving needs nothing but the standard library: a dictionary look-up per feature
and a sum per label (the trainer, hotline/routing/training.py, uses scikit-learn).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from hotline.routing.tokens import Word
from hotline.rules.yamlfile import Problem, RulesError

FORMAT = "hotline-linear-1"
CHAR_NS = (3, 4, 5)
# Lengths of the n-grams across word boundaries, for models trained now (the file records its own).
CROSS_NS = (4, 5)
MODEL_FILE = "classifier/model.json"
Span = tuple[int, int]  # first and last word index


def age_band(ages: Sequence[int]) -> str:
    if not ages:
        return "age:none"
    youngest = min(ages)
    return "age:child" if youngest < 16 else "age:minor" if youngest < 18 else "age:adult"


@lru_cache(maxsize=50_000)
def _char_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple("c" + padded[i : i + n] for n in CHAR_NS for i in range(len(padded) - n + 1))


@lru_cache(maxsize=100_000)
def _cross_grams(left: str, right: str, ns: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    """The n-grams that cross the space between `left` (a word, with the space before it) and
    `right` (the next three characters of the text after that space), each with how many
    words past the next one it reaches. A gram crossing several spaces comes from the first
    of them only (its left part holds no space but at its very start)."""
    out = []
    for n in ns:
        for k in range(1, n - 1):  # k characters before the space, n - k - 1 after it
            if k > len(left) or n - k - 1 > len(right):
                continue
            after = right[: n - k - 1]
            out.append(("x" + left[-k:] + " " + after, after.rstrip(" ").count(" ")))
    return tuple(out)


def text_features(folded: Sequence[str], cross_ns: tuple[int, ...] = ()) -> dict[str, list[Span]]:
    """Each text feature of the words, with the words it came from (for explanations).
    `cross_ns`: the lengths of the n-grams across word boundaries (none: the words alone)."""
    found: dict[str, list[Span]] = {}
    last = len(folded) - 1
    for i, word in enumerate(folded):
        found.setdefault("w " + word, []).append((i, i))
        if i < last:
            found.setdefault(f"b {word} {folded[i + 1]}", []).append((i, i + 1))
            if cross_ns:
                right = (" ".join(folded[i + 1 : i + 4]) + " ")[:3]
                for gram, extra in _cross_grams(" " + word, right, cross_ns):
                    found.setdefault(gram, []).append((i, i + 1 + extra))
        for gram in _char_grams(word):
            found.setdefault(gram, []).append((i, i))
    return found


def feature_values(
    folded: Sequence[str], ages: Sequence[int], cross_ns: tuple[int, ...] = CROSS_NS
) -> dict[str, float]:
    """The training vector of one narrative: text features at 1/sqrt(n), the age band at 1."""
    text = text_features(folded, cross_ns)
    value = 1 / math.sqrt(len(text)) if text else 0.0
    out = dict.fromkeys(text, value)
    out[age_band(ages)] = 1.0
    return out


@dataclass(frozen=True)
class ModelInfo:
    """What the admin page shows about the model in use."""

    version: str
    trained_at: str
    examples: Mapping[str, int]  # train, test, from_db
    figures: Mapping[str, float]  # test figures, in per cent


@dataclass(frozen=True, eq=False)
class LinearModel:
    labels: tuple[str, ...]  # "category" or "category/sub-category"
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]  # feature -> one weight per label
    info: ModelInfo
    # Probabilities from which the model suggests a category on its own (chosen when
    # training): a case category (child_abuse, gbv, trafficking), and any other.
    category_at: float = 0.5
    other_at: float = 0.5
    cross_ns: tuple[int, ...] = CROSS_NS  # the n-grams across word boundaries it was trained on
    categories: tuple[str, ...] = field(init=False)

    # Per set of labels (a category, a sub-category), each feature's summed weight for them:
    # made the first time evidence() is asked for that set.
    _summed: dict[tuple[int, ...], dict[str, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(label.split("/")[0] for label in self.labels))
        object.__setattr__(self, "_summed", {})

    def text_features(self, folded: Sequence[str]) -> dict[str, list[Span]]:
        """The narrative's text features as this model was trained on them."""
        return text_features(folded, self.cross_ns)

    def probabilities(
        self,
        folded: Sequence[str],
        ages: Sequence[int],
        text: Mapping[str, list[Span]] | None = None,
    ) -> list[float]:
        """One probability per label (softmax of the linear scores). `text`: the words' text
        features, when the caller has them already."""
        if text is None:
            text = self.text_features(folded)
        rows = [row for row in map(self.weights.get, text) if row is not None]
        sums = list(map(sum, zip(*rows, strict=True))) if rows else [0.0] * len(self.labels)
        scale = 1 / math.sqrt(len(text)) if text else 0.0
        age_row = self.weights.get(age_band(ages))
        logits = [
            b + s * scale + (age_row[k] if age_row else 0.0)
            for k, (b, s) in enumerate(zip(self.bias, sums, strict=True))
        ]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def evidence(
        self,
        words: Sequence[Word],
        labels: Sequence[int],
        *,
        most: int = 3,
        text: Mapping[str, list[Span]] | None = None,
    ) -> list[Span]:
        """The runs of words that weighed most for these labels, strongest first: each word's
        share of the score (a feature's weight split among the places it was found), adjacent
        words that count for the labels joined into one run."""
        if text is None:
            text = self.text_features([w.folded for w in words])
        summed = self._summed_for(labels)
        share = [0.0] * len(words)
        for feature, places in text.items():
            total = summed.get(feature)
            if total is None:
                continue
            weight = total / len(places)
            for first, last in places:
                if first == last:
                    share[first] += weight
                else:
                    for i in range(first, last + 1):
                        share[i] += weight / (last - first + 1)
        positive = [s > 0 and s >= 0.25 * max(share) for s in share] if share else []
        runs: list[tuple[float, Span]] = []
        i = 0
        while i < len(positive):
            if positive[i]:
                j = i
                while j + 1 < len(positive) and positive[j + 1]:
                    j += 1
                runs.append((sum(share[i : j + 1]), (i, j)))
                i = j + 1
            else:
                i += 1
        runs.sort(key=lambda run: -run[0])
        return [span for _, span in runs[:most]]

    def _summed_for(self, labels: Sequence[int]) -> dict[str, float]:
        key = tuple(sorted(set(labels)))
        found = self._summed.get(key)
        if found is None:
            found = {}
            for feature, row in self.weights.items():
                total = sum(row[k] for k in key)
                if total:
                    found[feature] = total
            self._summed[key] = found  # a handful of label sets: bounded by the taxonomy
        return found


# --- the weights file -----------------------------------------------------------------------


def to_json(model: LinearModel) -> dict[str, Any]:
    """The weights file's content: features sorted, each with its non-zero weights as
    [label index, weight, label index, weight, ...], weights rounded to 3 decimals."""
    return {
        "format": FORMAT,
        "version": model.info.version,
        "trained_at": model.info.trained_at,
        "examples": dict(model.info.examples),
        "figures": dict(model.info.figures),
        "category_at": model.category_at,
        "other_at": model.other_at,
        "cross_ns": list(model.cross_ns),
        "labels": list(model.labels),
        "bias": [round(b, 3) for b in model.bias],
        "weights": {f: _sparse(model.weights[f]) for f in sorted(model.weights)},
    }


def _sparse(row: Sequence[float]) -> list[float]:
    out: list[float] = []
    for k, weight in enumerate(row):
        if round(weight, 3):
            out += [k, round(weight, 3)]
    return out


def save(model: LinearModel, path: Path) -> None:
    text = json.dumps(to_json(model), ensure_ascii=False, separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text.replace('],"', '],\n"') + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a reload never reads half a file


def load(path: Path, *, name: str = MODEL_FILE, known: set[str] | None = None) -> LinearModel:
    """Read and check a weights file; RulesError names the file and what is wrong.
    `known`: the labels the taxonomy allows ("category" and "category/sub-category")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError([Problem(name, None, "", f"cannot read: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise RulesError([Problem(name, exc.lineno, "", f"not JSON: {exc.msg}")]) from None
    return from_json(data, name=name, known=known)


def from_json(data: Any, *, name: str = MODEL_FILE, known: set[str] | None = None) -> LinearModel:
    def bad(where: str, message: str) -> RulesError:
        return RulesError([Problem(name, None, where, message)])

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad("format", f"not a model file (format must be {FORMAT!r})")
    labels = data.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise bad("labels", "a list of category codes is required")
    unknown = [x for x in labels if known is not None and x not in known]
    if unknown:
        raise bad("labels", f"not in taxonomy.yaml: {', '.join(unknown)}")
    width = len(labels)
    bias = _numbers(data.get("bias"), width)
    if bias is None:
        raise bad("bias", f"{width} finite numbers are required")
    raw = data.get("weights")
    if not isinstance(raw, dict):
        raise bad("weights", "a mapping of feature to weights is required")
    weights: dict[str, tuple[float, ...]] = {}
    for feature, row in raw.items():
        numbers = _dense(row, width)
        if numbers is None:
            raise bad(f"weights.{feature}", "pairs of a label index and a finite weight")
        weights[feature] = numbers
    at = {key: data.get(key, 0.5) for key in ("category_at", "other_at")}
    for key, value in at.items():
        if not isinstance(value, int | float) or not 0 < value <= 1:
            raise bad(key, "a probability above 0 and at most 1 is required")
    cross = data.get("cross_ns", [])  # none in files trained before they existed
    if not isinstance(cross, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 2 <= n <= 8 for n in cross
    ):
        raise bad("cross_ns", "a list of n-gram lengths from 2 to 8 is required")
    figures = data.get("figures") or {}
    examples = data.get("examples") or {}
    info = ModelInfo(
        version=str(data.get("version") or "unversioned"),
        trained_at=str(data.get("trained_at") or ""),
        examples={str(k): int(v) for k, v in examples.items() if isinstance(v, int)},
        figures={str(k): float(v) for k, v in figures.items() if isinstance(v, int | float)},
    )
    return LinearModel(
        labels=tuple(labels),
        bias=bias,
        weights=weights,
        info=info,
        category_at=float(at["category_at"]),
        other_at=float(at["other_at"]),
        cross_ns=tuple(cross),
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _numbers(row: Any, width: int) -> tuple[float, ...] | None:
    if not isinstance(row, list) or len(row) != width or not all(map(_is_number, row)):
        return None
    return tuple(float(x) for x in row)


def _dense(pairs: Any, width: int) -> tuple[float, ...] | None:
    """[index, weight, index, weight, ...] as one weight per label (kept dense in memory:
    scoring sums whole rows)."""
    if not isinstance(pairs, list) or len(pairs) % 2 or not all(map(_is_number, pairs)):
        return None
    row = [0.0] * width
    for index, weight in zip(pairs[::2], pairs[1::2], strict=True):
        if index != int(index) or not 0 <= index < width:
            return None
        row[int(index)] = float(weight)
    return tuple(row)
