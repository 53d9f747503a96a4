"""The reduce family of theon.tensor (C++ in src/ops/reduce.cpp)."""

__all__ = []
