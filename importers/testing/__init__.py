"""Test helpers that ship with the package: the benchmark and the demo loader reuse them."""
