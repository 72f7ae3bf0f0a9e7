"""Finding WordNet offline for METEOR's synonym stage.

nltk's own ``wordnet`` corpus is normally downloaded from the network, which cec-eval never does.
Princeton WordNet 3.0 (the same data nltk ships) is packaged by Debian/Ubuntu as ``wordnet-base``
(``apt-get install --no-install-recommends wordnet-base``, files in ``/usr/share/wordnet``). Its
database lacks only ``lexnames``, a fixed 45-line table documented in lexnames(5WN), so we write
that table and assemble an nltk-readable corpus under the cec-eval cache once.

Search order: ``$CEC_EVAL_WORDNET`` (a WordNet dict folder, or ``none`` to switch synonyms off),
nltk's own data (``nltk.data.find('corpora/wordnet')``), then ``$WNSEARCHDIR``, ``$WNHOME/dict``,
``/usr/share/wordnet``, ``/usr/local/WordNet-3.0/dict``.

Whatever the source, WordNet is read through ONE explicit reader (:class:`OfflineWordNet`), never
through ``nltk.corpus.wordnet``: nltk's lazy loader wants ``index.sense``, which Debian's
``wordnet-base`` lacks, and would find our assembled copy only if we put it on ``nltk.data.path``.
We never change ``nltk.data.path`` for good: nltk's path sandbox (``nltk.pathsec``) only reads
files under its data roots, so the reader adds its root for the duration of each call and takes it
off again (:func:`_nltk_root`).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..resources import cache_dir

# lexnames(5WN): file number, lexicographer file, syntactic category (1 noun, 2 verb, 3 adj, 4 adv).
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
_NEEDED = ("data.noun", "data.verb", "data.adj", "data.adv", "index.noun", "index.verb", "index.adj", "index.adv")
_OPTIONAL = ("noun.exc", "verb.exc", "adj.exc", "adv.exc", "cntlist.rev", "index.sense", "lexnames")

INSTALL_HINT = (
    "install WordNet 3.0 offline with 'apt-get install --no-install-recommends wordnet-base' "
    "(Debian/Ubuntu), or point $CEC_EVAL_WORDNET at a WordNet 3.0 'dict' folder"
)


def lexnames_text() -> str:
    return "".join(f"{i:02d}\t{n}\t{_CATEGORY[n.split('.')[0]]}\n" for i, n in enumerate(_LEXNAMES))


@dataclass
class WordNetInfo:
    """What METEOR's synonym stage will use: ``reader`` is None when no WordNet was found."""

    reader: Any
    source: str  # "nltk_data", "system:<dir>", "none"
    version: str  # "3.0", or "none"

    @property
    def variant(self) -> str:
        return f"wordnet-{self.version}" if self.reader is not None else "none"


class NoSynonyms:
    """Stands in for WordNet when none is installed: METEOR then matches exact words and stems only
    (nltk calls ``wordnet.synsets(word)``; no synsets means no synonym matches)."""

    def synsets(self, *args: Any, **kwargs: Any) -> list:
        return []


def _candidate_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("WNSEARCHDIR"):
        dirs.append(Path(os.environ["WNSEARCHDIR"]))
    if os.environ.get("WNHOME"):
        dirs.append(Path(os.environ["WNHOME"]) / "dict")
    dirs += [Path("/usr/share/wordnet"), Path("/usr/local/WordNet-3.0/dict"), Path("/usr/share/wordnet/dict")]
    return dirs


def _is_wordnet_dir(path: Path) -> bool:
    return all((path / f).is_file() for f in _NEEDED)


def _assemble(source: Path) -> Path:
    """Copy a WordNet dict folder (plus lexnames) into ``<cache>/nltk_data/corpora/wordnet``, once.

    A copy, not symlinks: nltk refuses to read files that resolve outside its data roots."""
    root = cache_dir() / "nltk_data"
    target = root / "corpora" / "wordnet"
    if _is_wordnet_dir(target) and (target / "lexnames").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".wordnet-", dir=target.parent))
    try:
        for name in _NEEDED + _OPTIONAL:
            if (source / name).is_file():
                shutil.copyfile(source / name, tmp / name)
        if not (tmp / "lexnames").is_file():
            (tmp / "lexnames").write_text(lexnames_text(), encoding="utf-8")
        try:
            tmp.rename(target)
        except OSError:  # another process finished first
            if not _is_wordnet_dir(target):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


_ROOTS_LOCK = threading.RLock()
_ROOT_USERS: dict[str, int] = {}


@contextlib.contextmanager
def _nltk_root(root: str | None):
    """Let nltk's path sandbox read under ``root`` for the duration of the block only.

    Reference-counted under a lock so that nested or concurrent readers of the same root do not
    take it off while another still reads; ``nltk.data.path`` is left exactly as it was found."""
    if root is None:
        yield
        return
    import nltk

    with _ROOTS_LOCK:
        if _ROOT_USERS.get(root, 0) == 0 and root not in nltk.data.path:
            nltk.data.path.append(root)
            _ROOT_USERS[root] = 1
        elif root in _ROOT_USERS:
            _ROOT_USERS[root] += 1
        else:  # already a root of the user's own: nothing to add or take off
            root = None
    try:
        yield
    finally:
        if root is not None:
            with _ROOTS_LOCK:
                _ROOT_USERS[root] -= 1
                if _ROOT_USERS[root] == 0:
                    del _ROOT_USERS[root]
                    with contextlib.suppress(ValueError):
                        nltk.data.path.remove(root)


class OfflineWordNet:
    """The one WordNet reader: nltk's ``WordNetCorpusReader`` over an explicit folder (or nltk data
    pointer), with every call made inside :func:`_nltk_root` so nltk's sandbox allows the reads.

    Exposes the reader's API (``synsets``, ``get_version``, …) by delegation. ``nltk``'s METEOR
    calls ``wordnet.synsets(word)`` and reads ``lemma_names()`` of the result (already in memory)."""

    def __init__(self, location: Any, sandbox_root: str | None) -> None:
        from nltk.corpus.reader.wordnet import WordNetCorpusReader

        class WordNet30Reader(WordNetCorpusReader):
            """nltk maps every non-"wordnet" corpus onto its own downloaded copy (for the
            multilingual OMW data) at load time; this *is* WordNet 3.0, so the mapping is the identity."""

            def map_wn(self, version: str = "wordnet") -> None:
                return None

        self._root = sandbox_root
        with self._sandbox(), warnings.catch_warnings():
            # "multilingual functions are not available": we only need English synsets.
            warnings.simplefilter("ignore")
            self._reader = WordNet30Reader(location, None)

    def _sandbox(self):
        return _nltk_root(self._root)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._reader, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._sandbox():
                return attr(*args, **kwargs)

        return call


def _reader(folder: Path) -> OfflineWordNet:
    """An :class:`OfflineWordNet` over an assembled ``<root>/corpora/wordnet`` folder."""
    return OfflineWordNet(str(folder), str(folder.parent.parent))


_FOUND: WordNetInfo | None = None


def find_wordnet(refresh: bool = False) -> WordNetInfo:
    """Locate WordNet (see the module doc); the answer is cached per process."""
    global _FOUND
    if _FOUND is not None and not refresh:
        return _FOUND
    _FOUND = _find()
    return _FOUND


def _find() -> WordNetInfo:
    override = os.environ.get("CEC_EVAL_WORDNET")
    if override:
        if override.lower() == "none":
            return WordNetInfo(None, "none ($CEC_EVAL_WORDNET=none)", "none")
        path = Path(override)
        if not _is_wordnet_dir(path):
            raise RuntimeError(f"$CEC_EVAL_WORDNET={override} is not a WordNet dict folder (needs {', '.join(_NEEDED)})")
        wn = _reader(_assemble(path) if not (path / "lexnames").is_file() else path)
        return WordNetInfo(wn, f"env:{path}", wn.get_version())
    import nltk

    for resource in ("corpora/wordnet", "corpora/wordnet.zip/wordnet/"):
        try:
            pointer = nltk.data.find(resource)  # on nltk's own roots: no sandbox root to add
        except LookupError:
            continue
        wn = OfflineWordNet(pointer, None)
        return WordNetInfo(wn, "nltk_data", wn.get_version())
    for folder in _candidate_dirs():
        if _is_wordnet_dir(folder):
            wn = _reader(_assemble(folder))
            return WordNetInfo(wn, f"system:{folder}", wn.get_version())
    return WordNetInfo(None, "none", "none")
