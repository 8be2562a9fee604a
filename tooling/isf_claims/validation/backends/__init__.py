"""Validation engines that live in a folder of their own, one module per level."""
