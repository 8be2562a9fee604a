"""Releases: the versioned, deterministic artefacts ML teams and downstream projects consume.

One small module per artefact or concern: ``tables`` (release tables from the corpus),
``splits``, ``tokenize`` and ``ner``, ``features`` (Hugging Face features), ``parquet``,
``stats``, ``card``, ``datapackage``, ``croissant``, ``checksums``, ``build``, ``diff``,
``gitref``, ``changelog``, ``versioning``, ``load`` and ``publish``.
"""
