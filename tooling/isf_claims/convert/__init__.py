"""Interchange with annotation tools and training formats.

A registry of small ``<src>_to_<dst>`` modules: exporters turn the corpus into a tool's
files, importers turn a tool's files back into annotation files. Export then import of
Label Studio and brat gives back the annotation files byte for byte.
"""
