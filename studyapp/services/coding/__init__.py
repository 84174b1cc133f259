"""Coding: codebook versions, coders' values (blind), reconciliation, label sheets."""
