"""Every finding: its stable code, level, severity, what it means, how to fix it, and the
template of its message.

Both engines report only codes declared here and fill the same template, so one bad input
reads the same whichever engine found it; ``isf-claims checks`` prints the list, the docs
page (``docs/checks.md``) is generated from it, and the bad-input suite
(``tests/validation_cases.py``) has one fixture per code.
"""

from __future__ import annotations

from dataclasses import dataclass

from isf_claims.codebook.common import ERROR, LEVELS, WARNING, fill, squash


@dataclass(frozen=True)
class Check:
    """One check: a finding of it carries ``code``; later levels skip what failed earlier."""

    code: str
    level: int
    severity: str
    title: str
    explanation: str
    fix: str
    template: str  # the message, a str.format template
    expected: str | None  # what was expected, a template (None: the finding has none)
    found: str | None  # what was found, a template
    # What a run on some files reports of it: findings on those files ("file"), also
    # findings naming one of their documents from another file ("document"), or every
    # finding ("always": a removed or renamed raw file is in no run's files).
    scope: str = "file"

    def words(self, params: dict[str, object]) -> dict[str, str | None]:
        """Message, expected and found, filled from ``params``."""
        return {
            "message": fill(self.code, self.template, params),
            "expected": None if self.expected is None else fill(self.code, self.expected, params),
            "found": None if self.found is None else fill(self.code, self.found, params),
        }

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]


def _c(
    code: str,
    level: int,
    title: str,
    explanation: str,
    fix: str,
    severity: str = ERROR,
    *,
    template: str,
    expected: str | None,
    found: str | None,
    scope: str = "file",
) -> Check:
    return Check(
        code, level, severity, title, squash(explanation), fix, template, expected, found, scope
    )


_ALL = [
    # ------------------------------------------------------------------ 1 structure
    _c(
        "symbolic-link",
        1,
        "symbolic link where a corpus file belongs",
        """An entry of `raw/` or `annotated/` with a corpus file's name (`*.txt`,
        `*.meta.json`, `*.jsonl`) is a symbolic link. The corpus stores its files themselves:
        a link can point outside the repository or change under it, so it is refused and its
        target is never read. The finding shows where the link points.""",
        "replace the link with the file itself (or remove it)",
        template="{file} is {kind}, not a regular file",
        expected="a regular file",
        found="{shown}",
    ),
    _c(
        "not-a-regular-file",
        1,
        "folder or special file where a corpus file belongs",
        """An entry of `raw/` or `annotated/` with a corpus file's name is a folder, a named
        pipe (FIFO), a socket or a device file, not a regular file. It is refused without
        being opened.""",
        "remove or rename the entry; corpus files are regular files",
        template="{file} is {kind}, not a regular file",
        expected="a regular file",
        found="{shown}",
    ),
    _c(
        "file-name-not-utf8",
        1,
        "file name that is not UTF-8",
        """An entry of `raw/` or `annotated/` with a corpus file's suffix has a name whose bytes
        are not UTF-8. File names are document ids (lower-case ASCII letters, digits, `.`,
        `_`, `-`), so such a file cannot belong to the corpus; it is not read. The finding
        shows the bad bytes as `\\xNN`.""",
        "rename the file to its document id",
        template="the file name {file} is not UTF-8",
        expected="a UTF-8 file name (a document id: a-z, 0-9, '.', '_', '-')",
        found="{file}",
    ),
    _c(
        "not-utf8",
        1,
        "annotation file is not UTF-8",
        """An annotation file must decode as UTF-8. The finding gives the line and byte offset
        of the first byte that does not decode; nothing else in the file is checked, because
        nothing after a decoding error can be trusted.""",
        "re-save the file as UTF-8 (no BOM) or restore it from git",
        template="bytes are not valid UTF-8 at byte offset {offset} ({reason})",
        expected="UTF-8 text",
        found="byte 0x{byte:02x} at byte offset {offset}",
    ),
    _c(
        "bom",
        1,
        "byte-order mark at the start of the file",
        """The file starts with the UTF-8 byte-order mark (EF BB BF). The canonical format has
        none: a BOM makes the first line an invalid JSON record for most readers and is
        usually added silently by an editor.""",
        "save the file as UTF-8 without BOM (or run `isf-claims fmt`)",
        template="the file starts with a UTF-8 byte-order mark",
        expected="no BOM",
        found="EF BB BF",
    ),
    _c(
        "crlf-line-endings",
        1,
        "CR LF line endings",
        """Annotation files use LF line endings only (see .gitattributes). CR LF endings mean an
        editor or a Windows checkout converted the file; the records may be fine, but the file
        is no longer canonical and diffs become noise.""",
        "convert the line endings to LF (`isf-claims fmt`, or `git add --renormalize`)",
        template="the file has CR (carriage return) line endings",
        expected="LF line endings",
        found="{ending}",
    ),
    _c(
        "empty-file",
        1,
        "empty annotation file",
        """A document's annotation file has no records at all. Even an unannotated draft needs
        its first line, the document record naming the raw file, its sha256 and the schema
        version.""",
        "write the document record, or delete the file",
        template="the annotation file has no records",
        expected="the document record on line 1",
        found="{size}",
    ),
    _c(
        "blank-line",
        1,
        "blank line in an annotation file",
        """Each line of an annotation file is one JSON record; an empty line is not a record.""",
        "delete the blank line",
        template="blank line",
        expected="one JSON record per line",
        found="an empty line",
    ),
    _c(
        "json-invalid",
        1,
        "line is not valid JSON",
        """The line does not parse as JSON (for example it was truncated, a quote or brace is
        missing, or two records were joined on one line). The finding gives the parser's
        message and the start of the line.""",
        "repair the JSON on this line (or restore the file from git)",
        template="the line is not valid JSON: {error}",
        expected="one JSON object per line",
        found="{excerpt}",
    ),
    _c(
        "json-too-deep",
        1,
        "record nested too deeply",
        """A record nests more than 32 arrays or objects (the schema needs three: a cluster, its
        members, a member). Such a line is not an annotation record, and nesting deep enough
        breaks JSON parsers, so it is refused before anything else is checked.""",
        "replace the line with the record it should be (or restore the file from git)",
        template="the {what} nests more than {depth} arrays or objects",
        expected="records nested at most {depth} levels deep",
        found="{shown}",
    ),
    _c(
        "lone-surrogate",
        1,
        "string with a lone surrogate escape",
        """A JSON string (or key) holds an escape `\\ud800`-`\\udfff` that is not half of a
        surrogate pair. JSON allows the escape, but it names no character: the text cannot be
        stored as UTF-8, compared with the raw text or published. Tools that count offsets in
        UTF-16 units sometimes cut a pair in half.""",
        "write the character itself (or a complete surrogate pair); check the span's offsets",
        template="a string holds a lone surrogate escape (\\ud800-\\udfff)",
        expected="Unicode text (a surrogate escape only as half of a pair)",
        found="{shown}",
    ),
    _c(
        "not-an-object",
        1,
        "record is not a JSON object",
        """Every line must be a JSON object ({...}); this one is an array, a string, a number or
        null.""",
        "replace the line with the record as a JSON object",
        template="the record is not a JSON object",
        expected="a JSON object",
        found="{kind}: {excerpt}",
    ),
    _c(
        "header-missing",
        1,
        "first record is not the document record",
        """The first line of `annotated/<doc_id>.jsonl` must be the `document` record: it says
        which raw file the offsets refer to, its sha256 and the schema version. Without it the
        file cannot be read.""",
        "put the document record on the first line",
        template="the first record is not the document record",
        expected='{{"layer": "document", ...}}',
        found="{shown}",
    ),
    _c(
        "header-repeated",
        1,
        "more than one document record",
        """A file describes exactly one document, so it has exactly one `document` record (the
        first line). A second one usually means two files were concatenated.""",
        "keep one document record (the first line) and split or remove the rest",
        template="a second document record",
        expected="one document record, on line 1",
        found="{shown}",
    ),
    _c(
        "unknown-layer",
        1,
        "record of an unknown layer",
        """Every record of a document file names its layer in `layer`: one of the layers of the
        declared schema version. The field is missing or names a layer the schema does not
        have.""",
        "set `layer` to one of the schema's layers (see `isf-claims checks` / schema.json)",
        template="the record's layer is missing or unknown",
        expected="one of {layers}",
        found="{shown}",
    ),
    _c(
        "unknown-field",
        1,
        "field the layer does not have",
        """The record has a field its layer does not define in the declared schema version
        (often a typo, or a field of another layer). Unknown fields are refused rather than
        ignored so that nothing is silently dropped on release.""",
        "rename or remove the field",
        template="{layer} records have no field {name!r}",
        expected="fields: {fields}",
        found="{name}",
    ),
    _c(
        "unknown-schema-version",
        1,
        "schema version the repository does not keep",
        """The document record's `schema_version` must name a version kept under `schema/`. A
        missing or unknown version makes every other check meaningless, so the file is not
        checked further.""",
        "declare a kept schema version, or migrate the file with `isf-claims migrate`",
        template="schema version {version!r} is not kept in this repository",
        expected="one of {kept}",
        found="{shown}",
    ),
    _c(
        "mixed-schema-versions",
        1,
        "file declares another schema version than the corpus",
        """All annotation files of a corpus follow one schema version (the one most files
        declare, the newest on a tie). A file on another kept version is reported and not
        checked further until it is migrated.""",
        "migrate the file with `isf-claims migrate --to VERSION`",
        template="the file follows schema {version}, the corpus {corpus}",
        expected="{corpus}",
        found="{version}",
    ),
    _c(
        "doc-id-mismatch",
        1,
        "document id differs from the file name",
        """`annotated/<doc_id>.jsonl` must declare `doc_id` equal to its file name, since the
        file name is how raw text, annotations and cluster members find each other.""",
        "rename the file or correct `doc_id` in the document record",
        template="the document id differs from the file name",
        expected="{expected_id}",
        found="{shown}",
    ),
    # ------------------------------------------------------------------ 2 contract
    _c(
        "meta-missing",
        1,
        "raw file without its metadata file",
        """Every raw text `raw/<doc_id>.txt` has its metadata `raw/<doc_id>.meta.json` (outlet,
        byline, date, rights, and the sha256 and lengths of the bytes), written by
        `isf-claims ingest`. Without it the text's provenance and integrity are unknown and a
        release cannot describe it.""",
        "restore raw/<doc_id>.meta.json from version control (or ingest the article again)",
        template="raw/{doc_id}.txt has no metadata file",
        expected="raw/{doc_id}.meta.json",
        found="no such file",
    ),
    _c(
        "meta-invalid",
        1,
        "metadata file breaks its contract",
        """`raw/<doc_id>.meta.json` must be a UTF-8 JSON object with exactly the fields ingest
        writes (`doc_id` equal to the file name, `sha256` a hex digest, `n_bytes` and
        `n_codepoints` counts, the other fields strings or null where unknown; no lone
        surrogate escapes). The finding names the field and what it holds.""",
        "restore the file from version control (metadata is written by ingest)",
        template="metadata of {doc_id}: {problem}",
        expected="{need}",
        found="{shown}",
    ),
    _c(
        "wrong-type",
        2,
        "value of the wrong type",
        """A field holds a value of another JSON type than the Table Schema says: a string where
        an integer offset belongs (`"12"`), a number where an id string belongs, a span that
        is not an object. Values are never coerced.""",
        "write the value with the field's type (see the schema)",
        template="{field} must be {type}, not {actual}",
        expected="{type}",
        found="{shown}",
    ),
    _c(
        "missing-value",
        2,
        "required value is missing",
        """A required field is absent or null (for a span: one of `start`, `end`, `text` is
        missing while the span is given). Empty strings are values, not missing values.""",
        "fill in the field",
        template="{field} is required",
        expected="{need}",
        found="null",
    ),
    _c(
        "not-in-vocabulary",
        2,
        "value outside the field's vocabulary",
        """The value is not one of the values the schema allows for this field (entity labels,
        zone labels, attribution types, claim attributes, status). Label sets come from
        schema.json; matching is exact and case-sensitive.""",
        "use one of the allowed values listed in the finding",
        template="{value!r} is not an allowed value",
        expected="one of {allowed}",
        found="{value}",
    ),
    _c(
        "pattern-mismatch",
        2,
        "value does not match the field's pattern",
        """Ids, document ids, sha256 digests and schema versions have a fixed form (for
        example mention ids are `m` followed by digits). The whole value must match.""",
        "write the value in the form the finding shows",
        template="{value!r} does not have the required form",
        expected="a match of {pattern}",
        found="{value}",
    ),
    _c(
        "below-minimum",
        2,
        "number below the field's minimum",
        """Offsets are non-negative (`start >= 0`, `end >= 1`): a negative offset cannot point
        into a text.""",
        "correct the offset",
        template="{value} is below the minimum {minimum}",
        expected=">= {minimum}",
        found="{value}",
    ),
    _c(
        "duplicate-id",
        2,
        "id used twice",
        """Record ids are unique within their document (zones, mentions, claims, markers) and
        canonical entity and cluster ids are unique in their file. The first record keeps the
        id; every later one is reported.""",
        "give the later record a new id (ids are never reused)",
        template="the id is already used by an earlier record",
        expected="an id not used before",
        found="{key}",
    ),
    _c(
        "duplicate-member",
        2,
        "claim listed twice in a cluster",
        """A cluster lists each member claim (document and claim id) once.""",
        "remove the repeated member",
        template="the claim is already a member of the cluster",
        expected="each member once",
        found="{key}",
    ),
    _c(
        "attribution-inconsistent",
        2,
        "claim attributes contradict each other",
        """Schema rule `unattributed_has_no_source`: an unattributed claim has no cue and no
        source, source_type `outlet` and cue_commitment `none`; an attributed claim (direct,
        indirect or mixed) has a cue.""",
        "make the attribution type, cue, source, source_type and cue_commitment agree",
        template="{attribution} claim {problems}",
        expected="{need}",
        found="{problems}",
    ),
    # ------------------------------------------------------------------ 3 anchoring
    _c(
        "raw-missing",
        3,
        "annotation file without a raw file",
        """The document record names a document whose raw text `raw/<doc_id>.txt` does not
        exist, so no offset can be checked. (This is also the corpus-level check for an
        annotation file without a raw file.)""",
        "ingest the article with `isf-claims ingest`, or delete the annotation file",
        template="raw/{doc_id}.txt does not exist",
        expected="raw/{doc_id}.txt",
        found="no such file",
    ),
    _c(
        "raw-not-utf8",
        3,
        "raw file is not UTF-8",
        """The raw text the offsets refer to does not decode as UTF-8, so code-point offsets
        into it are undefined. Raw files are never edited; this means the file was damaged.""",
        "restore raw/<doc_id>.txt from git; convert an article to UTF-8 before ingesting it "
        "(the raw layer stores UTF-8 only)",
        template="raw/{doc_id}.txt is not valid UTF-8",
        expected="UTF-8 text",
        found="bytes that do not decode",
    ),
    _c(
        "raw-changed",
        3,
        "raw file changed since it was annotated",
        """The sha256 of the raw bytes differs from `raw_sha256` in the document record: the
        text the offsets were made on is not the text that is there now, so every offset may
        have shifted. No span of the document is checked until this is resolved.""",
        "restore raw/<doc_id>.txt from git (raw files are never edited)",
        template="the raw file's bytes changed after annotation",
        expected="sha256 {declared} (raw_sha256)",
        found="sha256 {actual}",
    ),
    _c(
        "raw-edited",
        3,
        "raw text differs from its committed or released bytes",
        """Raw texts are append-only across history: `raw/<doc_id>.txt` differs from the bytes
        it had when it was first committed on HEAD's history (git) or from the sha256 the
        newest release under `dist/` lists for the document. Reported whatever the annotation
        says: updating `raw_sha256` does not make an edit valid. A corrected text is a new
        document with a new id.""",
        "restore the original bytes (`git checkout <first commit> -- raw/<doc_id>.txt`); "
        "ingest a corrected text as a new document",
        template="{file} is not as in the {source}: raw texts are never edited",
        expected="{kind} {before} ({when})",
        found="{kind} {now}",
        scope="always",
    ),
    _c(
        "raw-removed",
        3,
        "a committed or released raw text is gone",
        """A raw text that was committed on HEAD's history or published in the newest release
        under `dist/` no longer exists (and its bytes are not under another name). Documents
        are never removed from the raw layer.""",
        "restore raw/<doc_id>.txt from git or from the release's documents table",
        template="{file}, in the {source}, no longer exists",
        expected="{file} ({kind} {before}, {when})",
        found="no such file",
        scope="always",
    ),
    _c(
        "raw-renamed",
        3,
        "a committed or released raw text has a new name",
        """The bytes of a raw text that was committed or released are now under another name.
        A document's file name is its identity (the doc_id); it never changes.""",
        "move the file back to its original name (`git mv`), and its annotation with it",
        template="{file}, in the {source}, is now named raw/{moved}",
        expected="{file}",
        found="raw/{moved}",
        scope="always",
    ),
    _c(
        "meta-sha256-mismatch",
        3,
        "metadata sha256 differs from the raw bytes",
        """The `sha256` in `raw/<doc_id>.meta.json` is the digest of the bytes as ingested. A
        different digest of the bytes now in `raw/<doc_id>.txt` means the raw file was edited
        (or the metadata damaged), whatever the annotation's `raw_sha256` says: raw files are
        never edited.""",
        "restore raw/<doc_id>.txt and its metadata from version control",
        template="raw/{doc_id}.txt is not the file that was ingested",
        expected="sha256 {declared} (the metadata)",
        found="sha256 {actual} (the raw bytes)",
    ),
    _c(
        "meta-length-mismatch",
        3,
        "metadata length differs from the raw bytes",
        """`n_bytes` (length in bytes) and `n_codepoints` (length in Unicode code points, the
        unit of every offset) in `raw/<doc_id>.meta.json` must equal those of the raw bytes.
        The finding names the field; `n_codepoints` is checked when the bytes are UTF-8.""",
        "restore raw/<doc_id>.txt and its metadata from version control",
        template="raw/{doc_id}.txt has {actual} {unit}, its metadata says {declared}",
        expected="{declared} {unit} (the metadata)",
        found="{actual} {unit} (the raw bytes)",
    ),
    _c(
        "span-inverted",
        3,
        "span with start not before end",
        """Spans are half-open `[start, end)` with `start < end`; an empty or inverted span
        covers no text.""",
        "correct the offsets so that start < end",
        template="{what} [{start}, {end}) is empty or inverted",
        expected="start < end",
        found="start {start}, end {end}",
    ),
    _c(
        "span-out-of-range",
        3,
        "span ends after the end of the text",
        """`end` is larger than the length of the raw text in code points. Offsets count Unicode
        code points of the decoded text (not bytes, not UTF-16 units).""",
        "correct the offsets (code points into the raw text)",
        template="{what} [{start}, {end}) ends after the text ({length} code points)",
        expected="end <= {length}",
        found="end {end}",
    ),
    _c(
        "quote-mismatch",
        3,
        "span text differs from the raw text at its offsets",
        """Every span stores the exact text it covers: `raw[start:end] == text`, with no
        normalisation. The finding shows both texts and a hint when the difference is a
        shifted offset, Unicode normalisation (NFC/NFD), CR LF line endings, or offsets
        counted in UTF-16 units or UTF-8 bytes instead of code points.""",
        "correct the offsets or the text so that raw[start:end] == text; a hint, when shown, "
        "names the likely cause (never edit the raw file)",
        template="{what} text differs from the raw text at [{start}, {end})",
        expected="{raw} (raw[{start}:{end}])",
        found="{text}",
    ),
    _c(
        "span-edge-whitespace",
        3,
        "span starts or ends on whitespace",
        """Schema rule `span_edges`: a span never starts or ends on a Unicode White_Space
        character (space, no-break space, line break, ...).""",
        "move the offsets to the first and last non-space character",
        template="{what} {side} on whitespace",
        expected="no whitespace at either edge",
        found="{text}",
    ),
    _c(
        "spans-overlap",
        3,
        "spans of a layer overlap where the schema forbids it",
        """Layers with the overlap rule `forbid` (zones) never overlap one another. The later
        span (by start) is reported with the one it overlaps.""",
        "shorten one of the spans so that they no longer overlap",
        template="{id} [{start}, {end}) overlaps {other} [{other_start}, {other_end})",
        expected="no overlap with another span of the layer",
        found="overlap [{start}, {overlap_end})",
    ),
    _c(
        "spans-cross",
        3,
        "spans of a layer cross",
        """Layers with the overlap rule `nest` (mentions) may nest one inside another but never
        cross (A starts before B and ends inside it). The span that starts inside the other
        and ends after it is reported.""",
        "make the spans nest or separate",
        template="{id} [{start}, {end}) crosses {other} [{other_start}, {other_end})",
        expected="spans nested or apart",
        found="{other} ends at {other_end}, inside {id}",
    ),
    # ------------------------------------------------------------------ 4 references
    _c(
        "dangling-entity",
        4,
        "reference to a canonical entity that does not exist",
        """A mention's `entity` or a claim's `source_entity` names an id that is not in
        `annotated/entities.jsonl`.""",
        "add the entity to entities.jsonl or correct the id",
        template="{ref} {value!r} is not {target}",
        expected="an id in {table}",
        found="{value}",
    ),
    _c(
        "dangling-mention",
        4,
        "source_mention is not a mention of the document",
        """A claim's `source_mention` must be the id of a mention in the same document.""",
        "correct the id or add the mention",
        template="{ref} {value!r} is not {target}",
        expected="an id in {table}",
        found="{value}",
    ),
    _c(
        "dangling-claim",
        4,
        "reference to a claim that is not in the document",
        """A claim's `parent` and a marker's `claim` must be ids of claims in the same
        document.""",
        "correct the id",
        template="{ref} {value!r} is not {target}",
        expected="an id in {table}",
        found="{value}",
    ),
    _c(
        "dangling-member",
        4,
        "cluster member that does not exist",
        """Every member of a cluster names a document with an annotation file and a claim id in
        it. Removing or renumbering a claim that a cluster lists breaks the cluster.""",
        "update the cluster in annotated/clusters.jsonl",
        template="{ref} {value!r} is not {target}",
        expected="an id in {table}",
        found="{value}",
        scope="document",
    ),
    _c(
        "entity-label-mismatch",
        4,
        "mention label differs from its entity's label",
        """Schema rule `entity_label_agreement`: a mention linked to a canonical entity carries
        the entity's label.""",
        "relabel the mention or link it to another entity",
        template="mention is {label}, its entity {entity!r} is {entity_label}",
        expected="{entity_label}",
        found="{label}",
    ),
    _c(
        "source-mention-outside-source",
        4,
        "source_mention lies outside the source span",
        """Schema rule `source_mention_inside_source`: the mention named in `source_mention` is
        the claim's source span or lies inside it.""",
        "link the mention inside the source span, or correct the span",
        template="source_mention {mention} [{start}, {end}) is not inside the source span",
        expected="inside {source}",
        found="[{start}, {end}){absent}",
    ),
    _c(
        "marker-outside-claim",
        4,
        "marker lies outside the content of its claim",
        """A framing marker linked to a claim lies inside that claim's content span.""",
        "link the claim whose content contains the marker, or set `claim` to null",
        template="marker [{start}, {end}) is outside the content of {claim} "
        "[{claim_start}, {claim_end})",
        expected="inside [{claim_start}, {claim_end})",
        found="[{start}, {end})",
    ),
    # ------------------------------------------------------------------ 5 corpus
    _c(
        "raw-unannotated",
        5,
        "raw file without annotations",
        """Every document in `raw/` has an annotation file. A newly ingested article needs at
        least its document record (status `draft`) so that releases and statistics see it.""",
        "create annotated/<doc_id>.jsonl with the document record",
        template="raw document {doc_id} has no annotation file",
        expected="annotated/{doc_id}.jsonl",
        found="no such file",
    ),
    _c(
        "label-inconsistent",
        5,
        "same surface form labelled differently across documents",
        """The same mention text carries different entity labels in different documents. This
        can be right (`Washington` the city and the government), so it is a warning: the
        mentions whose label differs from the form's most frequent label are listed. Checked
        on full runs where every annotation file could be read.""",
        "check the guidelines; relabel the mention if it is an error",
        WARNING,
        template="{text!r} is {label} here but {major} in {n_major} of its {total} mentions "
        "across {n_docs} documents",
        expected="{major}",
        found="{label}",
    ),
    _c(
        "entity-unused",
        5,
        "canonical entity nothing refers to",
        """No mention (`entity`) and no claim (`source_entity`) refers to this canonical
        entity. Checked on full runs where every annotation file could be read.""",
        "link mentions to it, or remove it from entities.jsonl",
        WARNING,
        template="canonical entity {id!r} is not referred to",
        expected="a mention or claim linked to it",
        found="none",
    ),
]

CHECKS: dict[str, Check] = {c.code: c for c in _ALL}


def check(code: str) -> Check:
    """The check behind ``code`` (a KeyError names a code nobody registered)."""
    return CHECKS[code]
