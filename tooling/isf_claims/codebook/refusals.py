"""Every refusal: a command stops, writes nothing and exits 1 (invalid data) or 2 (usage or
environment), with a stable code, a message made from the entry's template and the entry's
fix. :func:`isf_claims.errors.refuse` makes the error from an entry; no call site words its
own fix.

A code that is also a finding (``json-invalid``, ``raw-missing``, ...) keeps the finding's
fix (``fix=None`` here); its refusal only adds a template and an exit status. Templates use
``str.format`` fields; ``{note}`` carries the specific problem where one code covers several
(frictionless-py's convention).
"""

from __future__ import annotations

from dataclasses import dataclass

from isf_claims.codebook.common import EXIT_INVALID, EXIT_USAGE, squash


@dataclass(frozen=True)
class Refusal:
    """One refusal code: the command(s) that raise it, its exit status(es) and its words."""

    code: str
    exit_codes: tuple[int, ...]
    command: str
    title: str
    template: str
    fix: str | None
    explanation: str

    @property
    def exit_code(self) -> int:
        """The usual exit status (the first declared)."""
        return self.exit_codes[0]


_ALL: list[Refusal] = []


def _r(
    code: str,
    exit_code: int | tuple[int, ...],
    command: str,
    *,
    title: str,
    template: str,
    fix: str | None,
    explanation: str,
) -> None:
    exits = exit_code if isinstance(exit_code, tuple) else (exit_code,)
    _ALL.append(Refusal(code, exits, command, title, template, fix, squash(explanation)))


D, U = EXIT_INVALID, EXIT_USAGE
FINDING = None  # the fix of the finding with the same code

_VALIDATE_FIRST = "fix the findings above (`isf-claims validate`), then run the command again"

# ---------------------------------------------------------------- any command
_r(
    "repo-not-found",
    U,
    "any",
    title="no corpus repository",
    template="no corpus repository here",
    fix="run inside an isf-claims checkout or pass --root / set ISF_CLAIMS_ROOT",
    explanation="""Neither the working folder nor one of its parents (nor --root /
    ISF_CLAIMS_ROOT) is a folder with `schema/` and `raw/`.""",
)
_r(
    "bad-format",
    U,
    "any",
    title="unknown output format",
    template="unknown output format",
    fix="pass --format {allowed}",
    explanation="""The --format option names a format the command does not write.""",
)
_r(
    "bad-arguments",
    U,
    "adjudicate",
    title="arguments that do not go together",
    template="{note}",
    fix="call `isf-claims adjudicate A B --out DIR`, or `--apply DIR/decisions.jsonl` alone",
    explanation="""The command was given a combination of arguments it does not take.""",
)
_r(
    "file-not-found",
    U,
    "any",
    title="no such file",
    template="no such {what}",
    fix="check the path",
    explanation="""A path given on the command line does not exist.""",
)
_r(
    "schema-missing",
    U,
    "any",
    title="no schema version",
    template="no schema version found",
    fix="restore schema/ from git",
    explanation="""`schema/` holds no `<MAJOR.MINOR.PATCH>/schema.json`, so no record can be
    read.""",
)
_r(
    "schema-unreadable",
    U,
    "any",
    title="schema definition unreadable",
    template="cannot read the schema definition: {error}",
    fix="restore schema/<version>/schema.json from git",
    explanation="""A kept schema definition is not a JSON file the tooling can read.""",
)
_r(
    "unknown-schema-version",
    (D, U),
    "any",
    title="schema version the repository does not keep",
    template="schema version {version!r} is not kept in this repository",
    fix=FINDING,
    explanation="""A file declares (exit 1), or an option names (exit 2), a schema version that
    is not kept under `schema/`.""",
)
_r(
    "mixed-schema-versions",
    D,
    "build, stats, load",
    title="files on several schema versions",
    template="annotation files declare different schema versions",
    fix=FINDING,
    explanation="""Reading the corpus as one table needs one schema version across its files.""",
)
_r(
    "unknown-document",
    (U, D),
    "any",
    title="no such document",
    template="no {what} for the document id(s) asked for",
    fix="pass ids of annotated documents (see annotated/)",
    explanation="""A document id given as an option (exit 2), or named by an imported file (exit
    1), has no raw text or annotation file.""",
)
_r(
    "git-missing",
    U,
    "release, diff",
    title="git is not installed",
    template="git is not installed",
    fix="install git",
    explanation="""The command reads git history and finds no `git` program.""",
)
_r(
    "git-failed",
    U,
    "release, diff",
    title="a git command failed",
    template="git {command} failed",
    fix="run inside a git checkout of the corpus, with a valid ref",
    explanation="""A git command the tooling ran failed; what git said is shown.""",
)
_r(
    "unknown-ref",
    U,
    "diff",
    title="neither a release nor a git ref",
    template="{ref!r} is neither a release folder nor a git ref",
    fix="check the name with `git tag` / `git log`",
    explanation="""The version to compare is neither a release folder nor a tag, branch or
    commit.""",
)
# ---------------------------------------------------------------- reading the corpus
_r(
    "blank-line",
    D,
    "build, load",
    title="blank line",
    template="blank line in an annotation file",
    fix=FINDING,
    explanation="""The corpus reader met an empty line (see the finding of the same code).""",
)
_r(
    "json-invalid",
    D,
    "build, load, stats",
    title="line is not valid JSON",
    template="line is not valid JSON: {error}",
    fix=FINDING,
    explanation="""The corpus reader met a line that does not parse (see the finding of the same
    code).""",
)
_r(
    "not-utf8",
    D,
    "build, load",
    title="annotation file is not UTF-8",
    template="annotation file is not UTF-8 at byte offset {offset}",
    fix=FINDING,
    explanation="""The corpus reader met bytes that do not decode (see the finding of the same
    code).""",
)
_r(
    "wrong-type",
    D,
    "stats",
    title="value of the wrong type",
    template="{what} has a value that does not fit the type of its field",
    fix=FINDING,
    explanation="""A file holds a value of another type than its field (see the finding).""",
)
_r(
    "symbolic-link",
    D,
    "any",
    title="symbolic link where a corpus file belongs",
    template="{path} is {kind}, not a regular file",
    fix=FINDING,
    explanation="""A corpus file is a symbolic link; it is never followed (see the finding).""",
)
_r(
    "not-a-regular-file",
    D,
    "any",
    title="folder or special file where a corpus file belongs",
    template="{path} is {kind}, not a regular file",
    fix=FINDING,
    explanation="""A corpus file is a folder, FIFO, socket or device; it is never opened (see
    the finding).""",
)
_r(
    "meta-invalid",
    D,
    "any",
    title="metadata file breaks its contract",
    template="metadata file breaks the contract: {note}",
    fix=FINDING,
    explanation="""`raw/<doc_id>.meta.json` breaks its contract (see the finding).""",
)
_r(
    "raw-missing",
    D,
    "render, import",
    title="raw text missing",
    template="no raw text for {what}",
    fix=FINDING,
    explanation="""An annotated or imported document has no `raw/<doc_id>.txt`.""",
)
_r(
    "raw-not-utf8",
    D,
    "ingest, any",
    title="text is not UTF-8",
    template="the text is not valid UTF-8: {note}",
    fix=FINDING,
    explanation="""Text that is to be (or is) stored in `raw/` does not decode as UTF-8, or
    holds a lone surrogate that no UTF-8 text can.""",
)
_r(
    "span-out-of-range",
    D,
    "render",
    title="span outside the text",
    template="{what} cannot be shown: its offsets are not a stretch of the raw text",
    fix=FINDING,
    explanation="""A span's offsets do not fit its raw text (see the finding).""",
)
_r(
    "duplicate-id",
    D,
    "import",
    title="id used twice",
    template="{layer} id used twice",
    fix=FINDING,
    explanation="""An imported document uses one record id twice (see the finding).""",
)
# ---------------------------------------------------------------- validate
_r(
    "unknown-engine",
    U,
    "validate",
    title="unknown validation engine",
    template="unknown validation engine",
    fix="pass --engine pandera (default), frictionless or spark",
    explanation="""--engine names no validation engine.""",
)
_r(
    "master-without-spark",
    U,
    "validate",
    title="--master without the spark engine",
    template="--master applies to the spark engine only",
    fix="add --engine spark, or drop --master",
    explanation="""A Spark master URL only means something to the spark engine.""",
)
_r(
    "unknown-spark-master",
    U,
    "validate",
    title="not a Spark master URL",
    template="not a Spark master URL",
    fix="pass --master local[*] (default), spark://HOST:PORT or sc://HOST:PORT",
    explanation="""--master is none of the forms Spark accepts.""",
)
_r(
    "spark-not-installed",
    U,
    "validate",
    title="pyspark is not installed",
    template="the spark engine needs pyspark and pandera's pyspark backend",
    fix="pip install 'isf-claims[spark]'; Spark needs Java 17 "
    "(apt-get install openjdk-17-jre-headless)",
    explanation="""The spark engine was asked for but pyspark cannot be imported.""",
)
_r(
    "path-not-found",
    U,
    "validate",
    title="no such file or folder",
    template="no such file or folder",
    fix="check the path (validate without paths checks the whole corpus)",
    explanation="""A path given to validate does not exist.""",
)
_r(
    "not-a-corpus-path",
    U,
    "validate",
    title="not a corpus file",
    template="{note}",
    fix="pass only annotation, raw or schema files of this repository (the pre-commit hook "
    "filters them for you)",
    explanation="""A path given to validate is outside the repository, is not UTF-8, or is not
    an annotation, raw or schema file.""",
)
# ---------------------------------------------------------------- commands that need a valid corpus
_r(
    "release-invalid-corpus",
    D,
    "build",
    title="the corpus does not validate",
    template="the corpus does not validate; a release is only built from a valid corpus",
    fix=_VALIDATE_FIRST,
    explanation="""`isf-claims build` validates first and refuses a corpus with errors; the
    findings are shown.""",
)
_r(
    "export-invalid-corpus",
    D,
    "export",
    title="the corpus does not validate",
    template="the corpus does not validate; an export is made from a valid corpus",
    fix=_VALIDATE_FIRST,
    explanation="""`isf-claims export` validates first and refuses a corpus with errors.""",
)
_r(
    "diff-invalid-corpus",
    D,
    "diff",
    title="a compared corpus does not validate",
    template="the corpus does not validate; a diff compares valid corpora",
    fix=_VALIDATE_FIRST,
    explanation="""`isf-claims diff` compares valid corpora only.""",
)
_r(
    "fmt-invalid-corpus",
    D,
    "fmt",
    title="the corpus does not validate",
    template="the corpus does not validate; fmt only reformats records that validate "
    "(it repairs a BOM and CR LF line endings)",
    fix=_VALIDATE_FIRST,
    explanation="""`isf-claims fmt` rewrites only files whose records validate.""",
)
_r(
    "render-invalid-corpus",
    D,
    "render",
    title="the corpus does not validate",
    template="the corpus does not validate; the review site shows a valid corpus",
    fix=_VALIDATE_FIRST,
    explanation="""`isf-claims render` shows a valid corpus only.""",
)
_r(
    "release-empty-corpus",
    D,
    "build",
    title="nothing to release",
    template="no annotated document: nothing to release",
    fix="annotate a document first",
    explanation="""The corpus has no annotation file.""",
)
# ---------------------------------------------------------------- ingest
_r(
    "bad-date",
    U,
    "ingest",
    title="not a calendar date",
    template="the publication date must be a real calendar date in ISO 8601 form",
    fix="pass the publication date as YYYY-MM-DD, or leave it out when unknown",
    explanation="""The date given is not a date that exists, in YYYY-MM-DD form.""",
)
_r(
    "bad-doc-id",
    U,
    "ingest",
    title="invalid document id",
    template="{note}",
    fix="pass --id with a valid id that no shared file uses",
    explanation="""A document id is lower-case letters, digits, `.`, `_` and `-`, starts with a
    letter or digit, and is not the name of a shared file (entities, clusters).""",
)
_r(
    "doc-id-exists",
    D,
    "ingest",
    title="document id already used",
    template="document id {doc_id!r} already exists",
    fix="raw articles are never replaced: choose another id (--id, or the id column)",
    explanation="""An article would get the id of a raw document or annotation file that exists.""",
)
_r(
    "raw-duplicate",
    D,
    "ingest",
    title="text already stored",
    template="the same text is already stored",
    fix="nothing to do: the article is already in the corpus (leave it out of the batch)",
    explanation="""The article's bytes are already stored under another id.""",
)
_r(
    "raw-empty",
    D,
    "ingest",
    title="article without text",
    template="the article has no text",
    fix="ingest the article's full text",
    explanation="""The article is empty or whitespace only.""",
)
_r(
    "ingest-duplicate",
    D,
    "ingest",
    title="article twice in a batch",
    template="{note}",
    fix="list each file once, give each article its own id and each text once",
    explanation="""A batch lists a file twice, or holds the same id or the same text twice.""",
)
_r(
    "ingest-empty-batch",
    U,
    "ingest",
    title="empty batch",
    template="the batch holds no article",
    fix="add articles (and their rows) to the batch",
    explanation="""The folder or records file holds no article.""",
)
_r(
    "ingest-file-missing",
    D,
    "ingest",
    title="listed file missing",
    template="{note}",
    fix="name a file of the folder itself (not a path or a link), or remove its row",
    explanation="""The metadata table names a file the folder does not hold as a regular file.""",
)
_r(
    "ingest-file-unlisted",
    D,
    "ingest",
    title="article file without a row",
    template="article file without a row in the metadata table",
    fix="add a row for it to {table} (unknown facts left empty)",
    explanation="""A text file of the folder has no row in the metadata table.""",
)
_r(
    "ingest-no-table",
    U,
    "ingest",
    title="no metadata table",
    template="{note}",
    fix="write one table with a row per file (file,outlet,byline,date,url), or pass --meta "
    "only with a folder",
    explanation="""A folder of articles needs exactly one metadata table; --meta goes with a
    folder.""",
)
_r(
    "ingest-option-per-article",
    U,
    "ingest",
    title="option for one article given to a batch",
    template="these options describe one article; a batch takes them from its table or records",
    fix="move the values into the metadata table, or ingest the article on its own",
    explanation="""Options such as --outlet or --date describe one article, not a batch.""",
)
_r(
    "ingest-table-invalid",
    D,
    "ingest",
    title="metadata table or records file invalid",
    template="{note}",
    fix="correct the table (UTF-8 CSV with a header row file,outlet,byline,date,url) "
    "or the records (one JSON object per line, values as strings or null)",
    explanation="""The metadata table or records file is not UTF-8, not CSV / JSON lines, or a
    row or record does not have the expected shape.""",
)
_r(
    "ingest-unknown-column",
    D,
    "ingest",
    title="metadata the raw layer does not record",
    template="metadata the raw layer does not record",
    fix="rename or remove it (unknown facts are left out, never guessed)",
    explanation="""A column or field names metadata the raw layer has no field for.""",
)
_r(
    "ingest-refused",
    (D, U),
    "ingest",
    title="batch refused",
    template="{n} problem(s) in a batch of {total} article(s); nothing was written",
    fix="fix each problem listed below and run the same command again",
    explanation="""A batch with any problem is refused whole; every problem follows. Exit 2 when
    every problem is a usage error, 1 otherwise.""",
)
# ---------------------------------------------------------------- synth, render
_r(
    "bad-docs",
    U,
    "synth",
    title="too few documents",
    template="--docs must be at least 1",
    fix="pass --docs N with N >= 1",
    explanation="""A synthetic corpus has at least one document.""",
)
_r(
    "out-not-empty",
    U,
    "synth",
    title="output folder not empty",
    template="the output folder is not empty",
    fix="choose another --out",
    explanation="""synth writes a new corpus into a new or empty folder.""",
)
_r(
    "out-not-a-site",
    U,
    "render",
    title="output folder is not a site",
    template="the output folder exists and is not a site made by `isf-claims render`",
    fix="pass --out with a new folder (the default is site/)",
    explanation="""render replaces only a site it made itself.""",
)
# ---------------------------------------------------------------- migrate
_r(
    "migrate-partial",
    U,
    "migrate",
    title="part of a folder migrated",
    template="a folder's annotation files must be migrated together",
    fix="pass the folder: files of one corpus share one schema version",
    explanation="""Migrating some files of a folder would leave it on two schema versions.""",
)
_r(
    "migration-backwards",
    U,
    "migrate",
    title="migration backwards",
    template="migration only goes forward",
    fix="pick a later kept version",
    explanation="""The target version is not after the files' version.""",
)
_r(
    "migration-missing",
    U,
    "migrate",
    title="no migration mapping",
    template="no readable mapping from {old} to {new}",
    fix="every schema version after the first ships its migration.json",
    explanation="""The schema version has no readable `migration.json` from the version before.""",
)
_r(
    "migration-invalid",
    D,
    "migrate",
    title="incomplete migration mapping",
    template="the schema mapping is incomplete",
    fix="complete schema/<version>/migration.json (see isf_claims.migrate)",
    explanation="""The mapping does not place every field and value of the old version.""",
)
_r(
    "migration-lossy",
    D,
    "migrate",
    title="migration would lose information",
    template="the schema mapping would lose information without a recorded decision",
    fix="complete schema/<version>/migration.json (see isf_claims.migrate)",
    explanation="""The mapping drops information without a decision recorded for the loss.""",
)
# ---------------------------------------------------------------- import / export
_r(
    "unknown-format",
    U,
    "import, export",
    title="unknown format",
    template="no {verb} for format {name!r}",
    fix="pick a format `isf-claims {verb}` knows",
    explanation="""The format names no converter.""",
)
_r(
    "predictions-unsupported",
    U,
    "export",
    title="format without predictions",
    template="the {fmt} export cannot carry predictions",
    fix="drop --predictions/--model-version, or export labelstudio",
    explanation="""Only some export formats carry model predictions.""",
)
_r(
    "export-lossy",
    U,
    "export",
    title="export would lose records",
    template="the {fmt} format cannot hold everything in the corpus",
    fix="pass --allow-lossy to export anyway; the report then lists what was dropped",
    explanation="""The target format cannot hold some records or fields of the corpus.""",
)
_r(
    "would-overwrite",
    (D, U),
    "import, export",
    title="would replace existing files",
    template="{what} would replace existing files",
    fix="review the differences, then rerun with --force, or choose another --out "
    "(nothing was written)",
    explanation="""An import would replace annotation files (exit 1), or an export files of
    another content (exit 2), without --force.""",
)
_r(
    "spacy-missing",
    U,
    "export docbin",
    title="spaCy is not installed",
    template="the docbin export needs spaCy, which is not installed",
    fix="pip install 'isf-claims[spacy]'  (no model is needed or downloaded)",
    explanation="""The docbin export writes spaCy DocBin files.""",
)
_r(
    "docbin-misaligned",
    D,
    "export docbin",
    title="span not on token edges",
    template="span does not align with tokens",
    fix="report this: tokens are cut at every span edge",
    explanation="""A span's edges fall inside a token (an internal error of the tokeniser).""",
)
_r(
    "brat-type-clash",
    D,
    "export brat",
    title="labels without distinct brat names",
    template="schema labels do not make distinct brat type names",
    fix="rename the label in the schema (with a migration)",
    explanation="""brat type names allow letters, digits, `_` and `-`; two labels map to one
    name.""",
)
_r(
    "convert-unsupported-field",
    D,
    "import, export",
    title="field without an interchange form",
    template="field {field} of type {type!r} has no interchange form",
    fix="teach isf_claims.convert.model.shape about the new field type",
    explanation="""The schema has a field type the converters cannot carry.""",
)
_r(
    "import-not-utf8",
    D,
    "import",
    title="imported file is not UTF-8",
    template="the file is not valid UTF-8: {note}",
    fix="save the file as UTF-8 (the tool's export is UTF-8; was it re-saved?)",
    explanation="""An imported file does not decode as UTF-8.""",
)
_r(
    "import-doc-id-invalid",
    D,
    "import",
    title="missing or invalid document id",
    template="missing or invalid document id",
    fix="keep the document id the export wrote",
    explanation="""An imported document names no valid document id.""",
)
_r(
    "import-json-invalid",
    D,
    "import",
    title="imported line is not a JSON object",
    template="{note}",
    fix="repair the line",
    explanation="""A JSON-lines file of the import has a line that is not an object.""",
)
_r(
    "import-no-header",
    D,
    "import",
    title="no document header",
    template="no document header (schema version, raw sha256, status, annotators)",
    fix="keep the export's header (task data.isf / documents.jsonl) when editing",
    explanation="""An imported document carries no header and has no annotation file to take one
    from.""",
)
_r(
    "import-text-differs",
    D,
    "import",
    title="imported text differs from the raw text",
    template="the tool's text differs from the stored raw text",
    fix="offsets would not fit raw/: annotate on the exported text, unchanged",
    explanation="""The text the annotation tool saw is not the raw text, so its offsets do not
    fit.""",
)
_r(
    "span-not-anchored",
    D,
    "import",
    title="span text is not the raw text",
    template="span text is not raw[start:end]",
    fix="fix the offsets or the text so they agree with raw/<doc_id>.txt",
    explanation="""An imported span's text differs from the raw text at its offsets.""",
)
_r(
    "raw-sha256-mismatch",
    D,
    "import",
    title="annotation made on other bytes",
    template="annotation made on other raw bytes than those stored",
    fix="the offsets may not fit this text: re-anchor the annotation on raw/<doc_id>.txt",
    explanation="""An imported header's raw_sha256 is not the digest of the stored raw text.""",
)
_r(
    "dangling-reference",
    D,
    "import",
    title="reference to nothing",
    template="{field} points at no {target}",
    fix="link an existing record or set the field to null",
    explanation="""An imported record refers to an id that no record has.""",
)
_r(
    "unknown-value",
    D,
    "import",
    title="value outside its vocabulary",
    template="{field} value outside its vocabulary",
    fix="use a value of the schema's vocabulary",
    explanation="""An imported value is not one of the schema's values for its field.""",
)
_r(
    "offset-out-of-range",
    D,
    "import",
    title="offset outside the text",
    template="{unit} offset outside the text",
    fix="the span does not fit the document text: was it made on another text?",
    explanation="""An offset of the annotation tool lies outside the document text.""",
)
_r(
    "offset-splits-character",
    D,
    "import",
    title="offset inside a character",
    template="a UTF-16 offset falls between the two halves of an astral character",
    fix="move the span edge before or after the character (emoji) it cuts",
    explanation="""A UTF-16 offset cuts a character outside the Basic Multilingual Plane in
    half.""",
)
_r(
    "offset-not-integer",
    D,
    "import labelstudio",
    title="offset is not an integer",
    template="region {key} offset is not an integer",
    fix="offsets are whole UTF-16 code units, as Label Studio writes them",
    explanation="""A Label Studio region offset is a string, a fraction or null.""",
)
_r(
    "relation-unknown-region",
    D,
    "import",
    title="relation to a missing span",
    template="relation to a {what} that is not in the {place}",
    fix="delete the relation or draw it between existing spans",
    explanation="""A relation names a span that the file does not have.""",
)
_r(
    "brat-invalid",
    (D, U),
    "import brat",
    title="not brat standoff as exported",
    template="{note}",
    fix="correct the line as the message says, following annotation.conf and the files "
    "`isf-claims export brat` wrote",
    explanation="""A brat folder or `.ann` line the importer cannot read: an unknown type,
    attribute, relation or note, a malformed line, spans that do not fit (exit 1); no such
    folder (exit 2).""",
)
_r(
    "brat-span-discontinuous",
    D,
    "import brat",
    title="discontinuous span",
    template="discontinuous span",
    fix="one span covers one stretch of text: split it into two annotations "
    "(fragments may not be joined)",
    explanation="""A brat span has several fragments; the corpus's spans are contiguous.""",
)
_r(
    "brat-span-inverted",
    D,
    "import brat",
    title="span with start not before end",
    template="span with start not before end",
    fix="brat offsets are [start, end) with start < end: fix the span",
    explanation="""A brat span's end is not after its start.""",
)
_r(
    "brat-text-mismatch",
    D,
    "import brat",
    title="span text differs from the raw text",
    template="the text column differs from the raw text at the span's offsets",
    fix="fix the offsets, or restore the text column brat wrote",
    explanation="""The text brat stored for a span is not the raw text at its offsets.""",
)
_r(
    "labelstudio-invalid",
    D,
    "import labelstudio",
    title="not Label Studio tasks as exported",
    template="{note}",
    fix="correct the task as the message says, following the project's labelling config as "
    "`isf-claims export labelstudio` wrote it (or re-export)",
    explanation="""A Label Studio export the importer cannot read: not a list of tasks, several
    annotations per task, unknown labels, fields or relations, offsets that do not fit.""",
)
_r(
    "labelstudio-no-tasks",
    U,
    "import labelstudio",
    title="no tasks file",
    template="cannot tell which file holds the tasks",
    fix="pass the export file itself: isf-claims import labelstudio path/to/export.json",
    explanation="""A folder has neither tasks.json nor exactly one .json export.""",
)
# ---------------------------------------------------------------- agreement and adjudication
_r(
    "not-a-folder",
    U,
    "agree, adjudicate",
    title="annotation set is not a folder",
    template="annotation set is not a folder",
    fix="pass two folders of annotation files",
    explanation="""An annotation set is a folder of `<doc_id>.jsonl` files.""",
)
_r(
    "annotation-set-empty",
    D,
    "agree, adjudicate",
    title="empty annotation set",
    template="the annotation set holds no document",
    fix="pass a folder of annotation files shaped like annotated/",
    explanation="""The folder holds no annotation file.""",
)
_r(
    "annotation-set-invalid",
    D,
    "agree, adjudicate",
    title="annotation set does not validate",
    template="the annotation set does not validate; no agreement is computed from it",
    fix="fix the findings above (or remove the set), then run again",
    explanation="""An annotation set is validated like annotated/ before it is compared.""",
)
_r(
    "agreement-schema-mismatch",
    D,
    "agree",
    title="sets on different schema versions",
    template="the two annotation sets follow different schema versions",
    fix="migrate both sets to the same version with `isf-claims migrate`",
    explanation="""Agreement compares two sets on one schema version.""",
)
_r(
    "agreement-no-common-documents",
    D,
    "agree",
    title="no common document",
    template="the two annotation sets share no document",
    fix="compare two annotations of the same documents",
    explanation="""The two sets annotate different documents.""",
)
_r(
    "adjudication-schema-mismatch",
    D,
    "adjudicate",
    title="sets on different schema versions",
    template="the two annotation sets follow different schema versions",
    fix="migrate both sets to the same version with `isf-claims migrate`",
    explanation="""Adjudication merges two sets on one schema version.""",
)
_r(
    "adjudication-documents-differ",
    D,
    "adjudicate",
    title="sets of different documents",
    template="the two annotation sets do not annotate the same documents",
    fix="adjudicate two annotations of the same documents",
    explanation="""Adjudication needs both sets to annotate the same documents.""",
)
_r(
    "adjudication-decisions-invalid",
    D,
    "adjudicate",
    title="line of the decisions file invalid",
    template="a line of the decisions file is not a decision",
    fix="restore the line from the file `adjudicate` wrote; edit only `decision`",
    explanation="""A line of decisions.jsonl is not a decision object.""",
)
_r(
    "adjudication-decision-invalid",
    D,
    "adjudicate",
    title="decision that cannot be applied",
    template="{note}",
    fix="edit the decision in the decisions file (a, b, both or neither), then apply again",
    explanation="""A decision is not a, b, both or neither, or `both` cannot hold two values.""",
)
_r(
    "adjudication-meta-missing",
    U,
    "adjudicate",
    title="decisions without their record",
    template="cannot read {meta} beside the decisions file: {error}",
    fix="keep the decisions file in the folder `adjudicate --out` wrote",
    explanation="""The file recording the two sets is not beside decisions.jsonl.""",
)
_r(
    "adjudication-stale",
    D,
    "adjudicate",
    title="decisions out of date",
    template="the decisions no longer match the two annotation sets",
    fix="run `isf-claims adjudicate A B --out DIR` again (decisions taken are kept), decide what "
    "it reopens, then apply again",
    explanation="""A set changed after the decisions were written.""",
)
_r(
    "adjudication-pending",
    D,
    "adjudicate",
    title="undecided disagreements",
    template="{n} of {total} disagreements are not decided",
    fix="set each decision, then apply again (nothing was written)",
    explanation="""Every disagreement needs a decision before the gold set is written.""",
)
_r(
    "adjudication-gold-invalid",
    D,
    "adjudicate",
    title="gold set would not validate",
    template="the annotation set would not validate ({n} errors)",
    fix="change the decisions that cause the findings above, then apply again",
    explanation="""The gold set the decisions make is validated before anything is written.""",
)
# ---------------------------------------------------------------- releases
_r(
    "dataset-meta-missing",
    U,
    "build, release",
    title="no dataset.json",
    template="no dataset.json: the dataset version and release metadata live there",
    fix="restore dataset.json from git",
    explanation="""The repository has no dataset.json.""",
)
_r(
    "dataset-meta-invalid",
    D,
    "build, release",
    title="dataset.json invalid",
    template="{note}",
    fix="correct dataset.json as the message says (or restore it from git)",
    explanation="""dataset.json is not JSON, lacks a string field, or holds a wrong value.""",
)
_r(
    "bad-version",
    U,
    "release",
    title="not a semantic version",
    template="not a semantic version",
    fix="give the version as three numbers separated by dots",
    explanation="""A version is MAJOR.MINOR.PATCH.""",
)
_r(
    "wrong-first-version",
    D,
    "release",
    title="first release on another version",
    template="the first release must have the version dataset.json declares",
    fix='release as {declared} (or set "version" in dataset.json first and commit it)',
    explanation="""The first release takes the version dataset.json declares.""",
)
_r(
    "wrong-version-bump",
    D,
    "release",
    title="wrong version bump",
    template="the changes since v{previous} need a {bump} bump",
    fix="release as {next} ({reasons})",
    explanation="""The version does not follow from the changes (PATCH, MINOR additions, MAJOR
    edits).""",
)
_r(
    "release-uncommitted",
    D,
    "release",
    title="uncommitted changes",
    template="the corpus has uncommitted changes; a tag must point at exactly the data",
    fix="commit (or discard) these changes, then release",
    explanation="""A release is tagged, so the data must be committed.""",
)
_r(
    "tag-exists",
    D,
    "release",
    title="tag exists",
    template="tag {tag} already exists",
    fix="released versions are never re-tagged: choose the next version",
    explanation="""The version is already released.""",
)
_r(
    "release-not-found",
    U,
    "load, evaluate",
    title="no release",
    template="no release here",
    fix="build one with `isf-claims build` or pass path= to a release",
    explanation="""The path holds no release folder.""",
)
_r(
    "unknown-release-version",
    D,
    "load, evaluate",
    title="release version not here",
    template="release {version} is not here",
    fix="pass a version that was built or downloaded, or build it from its git tag",
    explanation="""No release of that version is in the folder.""",
)
_r(
    "release-kind-mismatch",
    U,
    "load",
    title="standoff or full release mismatch",
    template="this is a {have} release, not a {want} one",
    fix="pass the other standoff= value or the path of the release of the kind asked for",
    explanation="""A full release was asked for and a standoff one found, or the reverse.""",
)
_r(
    "unknown-config",
    U,
    "load",
    title="unknown config",
    template="the release has no config {config!r}",
    fix="pass one of the release's configs",
    explanation="""The release has no such config.""",
)
_r(
    "release-no-checksums",
    D,
    "load, verify",
    title="release without SHA256SUMS",
    template="the release has no SHA256SUMS, so it cannot be verified",
    fix="use a release folder built by `isf-claims build`",
    explanation="""Every release carries SHA256SUMS.""",
)
_r(
    "release-checksums-invalid",
    D,
    "load, verify",
    title="SHA256SUMS line invalid",
    template="a SHA256SUMS line is not '<sha256>  <path>'",
    fix="rebuild the release or restore SHA256SUMS",
    explanation="""SHA256SUMS lines are a digest, two spaces and a path.""",
)
_r(
    "release-tampered",
    D,
    "load, verify",
    title="release files changed",
    template="the release's files do not match its SHA256SUMS",
    fix="download or rebuild the release; never edit a released file",
    explanation="""A file of the release was changed, removed or added.""",
)
_r(
    "standoff-quotes-article",
    D,
    "build --standoff",
    title="standoff release quotes an article",
    template="a file of the standoff release would quote an article's text",
    fix="paraphrase the passage where it comes from (DATACARD.md, dataset.json or the schema), "
    "then build again",
    explanation="""The standoff release carries no run of consecutive words of an article.""",
)
_r(
    "not-a-standoff-release",
    U,
    "rehydrate",
    title="not a standoff release",
    template="the folder is not a standoff release (it has no standoff/manifest.json)",
    fix="pass the <name>-<version>-standoff folder",
    explanation="""rehydrate works on a release built with --standoff.""",
)
_r(
    "texts-not-found",
    U,
    "rehydrate",
    title="no texts",
    template="no such folder or file of texts",
    fix="pass --texts with your copies of the articles",
    explanation="""--texts names nothing.""",
)
_r(
    "texts-invalid",
    D,
    "rehydrate",
    title="texts file line invalid",
    template="a line of the texts file is {note}",
    fix="repair the line (the text is the article exactly, as a JSON string)",
    explanation="""A line of the texts JSON-lines file is not {doc_id, text}.""",
)
_r(
    "rehydrate-unproven",
    D,
    "rehydrate",
    title="texts not proven",
    template="{n} of {total} texts could not be proven",
    fix="repair or replace those copies (the likely cause is given for each), or pass "
    "--allow-partial to leave those documents out",
    explanation="""A copy of an article does not hash to the recorded sha256.""",
)
_r(
    "rehydrate-nothing-proven",
    D,
    "rehydrate",
    title="no text proven",
    template="no text could be proven, so there is nothing to rehydrate",
    fix="pass the folder or JSON-lines file holding your copies of the articles",
    explanation="""No copy hashes to a recorded sha256.""",
)
_r(
    "bad-repo-id",
    U,
    "publish",
    title="invalid hub repo id",
    template="a hub repo id is <owner>/<name>",
    fix="pass --repo-id OWNER/NAME",
    explanation="""A Hugging Face repo id is owner/name.""",
)
_r(
    "publish-full-texts-refused",
    U,
    "publish",
    title="full texts not relicensed",
    template="this release carries the article texts, which the dataset's rights do not relicense",
    fix="build and publish the standoff release (`isf-claims build --standoff`), or pass "
    "--full-texts if you have the right to publish the texts",
    explanation="""Publishing the texts needs dataset.json to say they were relicensed.""",
)
_r(
    "publish-failed",
    U,
    "publish",
    title="upload failed",
    template="the upload to the hub failed: {error}",
    fix="check the network, `hf auth login` and the repo id, then publish again (a release's "
    "files never change, so a retry is safe)",
    explanation="""The Hugging Face hub refused or lost the upload.""",
)
# ---------------------------------------------------------------- evaluate and baselines
_r(
    "baseline-unknown-task",
    U,
    "baseline",
    title="no baseline for the task",
    template="no baseline for this task",
    fix="pass mentions, claims, ner or clusters",
    explanation="""The task names no baseline.""",
)
_r(
    "cue-lexicon-missing",
    U,
    "baseline",
    title="cue lexicon missing",
    template="the claims baseline needs its cue lexicon",
    fix="restore schema/{file}",
    explanation="""The claims baseline reads its cue lexicon from schema/.""",
)
_r(
    "evaluate-unknown-task",
    U,
    "evaluate",
    title="unknown task",
    template="unknown task",
    fix="pass --task ner, mentions, claims or clusters",
    explanation="""The task is not ner, mentions, claims or clusters.""",
)
_r(
    "evaluate-unknown-split",
    U,
    "evaluate",
    title="unknown split",
    template="the release has no split {split!r}",
    fix="pass one of the release's splits (or no --split: all documents)",
    explanation="""The split is not one the release has.""",
)
_r(
    "evaluate-unknown-document",
    U,
    "evaluate",
    title="document not in the release",
    template="--docs names documents the release does not have",
    fix="pass doc_ids from the release's documents config",
    explanation="""A document given with --docs is not in the release.""",
)
_r(
    "evaluate-needs-extra",
    U,
    "evaluate",
    title="seqeval not installed",
    template="scoring ner needs the seqeval library",
    fix="pip install 'isf-claims[eval]'",
    explanation="""Scoring ner needs seqeval.""",
)
_r(
    "prediction-unreadable",
    D,
    "evaluate",
    title="prediction file unreadable",
    template="{note}",
    fix="pass a JSON-lines (UTF-8, one object per line) or Parquet prediction file",
    explanation="""The prediction file cannot be read as JSON lines or Parquet (or a JSON line
    is not an object).""",
)
_r(
    "prediction-field-invalid",
    D,
    "evaluate",
    title="prediction field invalid",
    template="{note}",
    fix="see the prediction format in the README (Evaluate a system): fields as listed, offsets "
    "as JSON integers, scores from 0 to 1",
    explanation="""A field the task needs is missing, null or of the wrong type.""",
)
_r(
    "prediction-unknown-document",
    D,
    "evaluate",
    title="prediction for an unknown document",
    template="{n} {task} prediction(s): doc_id not in the release",
    fix="predict only on the release's documents",
    explanation="""A prediction names a doc_id the release does not have.""",
)
_r(
    "prediction-unknown-segment",
    D,
    "evaluate",
    title="prediction for an unknown segment",
    template="{n} {task} prediction(s): no row of the ner config has this doc_id and start",
    fix="predict one row per row of the ner config, keeping its doc_id and start",
    explanation="""A ner prediction names a segment (doc_id, start) the release's ner config
    lacks.""",
)
_r(
    "prediction-unknown-claim",
    D,
    "evaluate",
    title="cluster member not a claim",
    template="{n} {task} prediction(s): cluster member is not a claim of the release",
    fix="cluster the release's claims by their ids",
    explanation="""A cluster member names a claim (doc_id, claim) the release's claims config
    lacks.""",
)
_r(
    "prediction-offsets-out-of-range",
    D,
    "evaluate",
    title="prediction offsets outside the text",
    template="{n} {task} prediction(s): {role} offsets outside the text",
    fix="give half-open code-point offsets into the document's text",
    explanation="""A span does not satisfy 0 <= start < end <= the document's length in code
    points.""",
)
_r(
    "prediction-tag-count",
    D,
    "evaluate",
    title="wrong number of tags",
    template="{n} {task} prediction(s): number of tags differs from the segment's tokens",
    fix="give one tag per token of the ner config's tokens",
    explanation="""A ner prediction has a different number of tags than the segment has tokens.""",
)
_r(
    "prediction-label-not-in-schema",
    D,
    "evaluate",
    title="label not in the schema",
    template="{n} {task} prediction(s): {column} is not a value of the schema",
    fix="use the schema's values (the release's ClassLabel names)",
    explanation="""A label, IOB2 tag or claim attribute value is not one of the schema's values.""",
)
_r(
    "prediction-duplicate",
    D,
    "evaluate",
    title="prediction twice",
    template="{n} {task} prediction(s): the same prediction appears more than once",
    fix="remove the repeated records",
    explanation="""The same prediction appears twice (same mention, same claim content span,
    same segment, same cluster id, or a claim twice in one cluster).""",
)
_r(
    "prediction-span-edge-whitespace",
    D,
    "export labelstudio --predictions",
    title="predicted span on whitespace",
    template="{n} {task} prediction(s): {role} starts or ends on whitespace",
    fix="trim the span to its first and last non-space characters",
    explanation="""A span predicted for Label Studio pre-annotation starts or ends on
    whitespace, which no annotation may (`evaluate` scores such spans as they are).""",
)
_r(
    "prediction-release-mismatch",
    D,
    "evaluate",
    title="predictions of another release",
    template="{note}",
    fix="score against the exact release the predictions were made on (--version/--release)",
    explanation="""The prediction file declares another release version or SHA256SUMS digest
    than the release it is scored against.""",
)
_r(
    "prediction-split-mismatch",
    D,
    "evaluate",
    title="predictions of another split",
    template="the predictions declare another split",
    fix="pass --split {declared}, or predict on split {split}",
    explanation="""The prediction file declares another split than the one asked for.""",
)

REFUSALS: dict[str, Refusal] = {r.code: r for r in _ALL}
assert len(REFUSALS) == len(_ALL), "a refusal code is declared twice"


def refusal(code: str) -> Refusal:
    """The refusal behind ``code`` (a KeyError names a code nobody declared)."""
    return REFUSALS[code]
