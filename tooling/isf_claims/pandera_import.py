"""Import ``pandera.polars``, in the CLI without pandas.

The pre-commit hook (``isf-claims validate <file>``, a new process per commit) has a 1 s
budget. ``pandera/__init__.py`` imports pandas and its pandas API whenever pandas is
installed, and pandas is always installed here (``datasets`` depends on it): that costs about
0.65 s of the budget, for an engine that only uses pandera's polars backend. pandera supports
installs without pandas (the ``except`` branch of ``pandera/__init__.py``, GH #2387): when
``import pandas`` fails with ``No module named 'pandas'`` it sets up its polars-only API.
pyarrow, too, imports pandas on its first ``pa.array(<numpy array>)`` only to ask whether
the value is a pandas object, and manages without it. Likewise pandera imports
``hypothesis`` (when installed, as in the development environment) on its first validation,
only for its data-synthesis strategies, which validation never uses (about 0.1-0.2 s); it is
hidden the same way.

So, in a process that opted in with :func:`use_polars_only` (the CLI's ``main()`` does),
:func:`pandas_hidden` makes ``import pandas`` fail as if pandas were not installed while it
is active (the CLI's ``validate`` runs inside it), and :func:`pandera_polars` imports pandera
that way. Library users calling :func:`isf_claims.validation.validate` from their own Python
never opt in and get the normal, full pandera. pandera already imported is never re-imported,
and pandas already imported is never hidden.

This module sits outside :mod:`isf_claims.validation` so that opting in costs nothing:
importing that package loads pyarrow and numpy, which commands other than ``validate`` (and
``--help``) do not need.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType

_polars_only = False


def use_polars_only() -> None:
    """Opt this process in (the CLI's ``main()`` does; libraries never should). In this
    process ``import pandera`` then gives pandera's polars-only namespace."""
    global _polars_only
    _polars_only = True


HIDDEN = ("pandas", "hypothesis")


class _HidePandas:
    """A ``sys.meta_path`` finder: ``import pandas`` (or ``hypothesis``, or a submodule)
    fails with the error an environment without it gives."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name.split(".", 1)[0] in HIDDEN and name.split(".", 1)[0] not in sys.modules:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextmanager
def pandas_hidden() -> Iterator[None]:
    """While active, pandas cannot be imported, if the process opted in and pandas is not
    imported yet; otherwise does nothing."""
    if not _polars_only or "pandas" in sys.modules:
        yield
        return
    # polars notes at import whether pandas is installed; let it note the truth.
    importlib.import_module("polars")
    finder = _HidePandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def pandera_polars() -> ModuleType:
    """The module ``pandera.polars``; imported without pandas if the process opted in."""
    if "pandera" in sys.modules:
        return importlib.import_module("pandera.polars")
    with pandas_hidden():
        return importlib.import_module("pandera.polars")
