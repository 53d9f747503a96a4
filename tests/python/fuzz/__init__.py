"""The differential fuzzer: random graphs checked against NumPy across modes (run.py)."""
