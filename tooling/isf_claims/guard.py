"""Commands that rewrite or convert the corpus work only on a corpus that validates: the
corpus model of one validation pass, or a refusal carrying validation's findings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from isf_claims.errors import IsfError, refuse
from isf_claims.repo import Repo

if TYPE_CHECKING:
    from isf_claims.corpus import Corpus
    from isf_claims.validation import Report


def require_valid(repo: Repo, code: str) -> None:
    """Refuse (``code``, with the findings) a corpus that validation finds errors in; keeps
    no corpus in memory (for commands that read the corpus a batch at a time)."""
    from isf_claims.validation import validate

    report = validate(repo)
    if not report.ok:
        raise _refusal(repo, code, report)


def _refusal(repo: Repo, code: str, report: Report) -> IsfError:
    """``code`` (its message says why the command needs a valid corpus) with the findings."""
    return refuse(
        code,
        path=str(repo.root),
        expected="`isf-claims validate` passes",
        found="\n" + report.render(),
    )


def valid_corpus(repo: Repo, code: str, tolerate: Iterable[str] = ()) -> Corpus:
    """The corpus of ``repo`` when validation finds no error (other than the codes in
    ``tolerate``, which the caller repairs); otherwise ``code`` with the findings, so a
    command never works on records it cannot trust."""
    from isf_claims.corpus import load_corpus
    from isf_claims.validation import validate_and_load

    report, corpus = validate_and_load(repo)
    allowed = set(tolerate)
    if any(f.code not in allowed for f in report.errors):
        raise _refusal(repo, code, report)
    return corpus if corpus is not None else load_corpus(repo, repair=bool(allowed))
