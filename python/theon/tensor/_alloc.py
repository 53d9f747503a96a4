"""The alloc family of theon.tensor (C++ in src/ops/alloc.cpp)."""

__all__ = []
