"""The sort family of theon.tensor (C++ in src/ops/sort.cpp)."""

__all__ = []
