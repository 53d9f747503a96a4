"""The math family of theon.tensor (C++ in src/ops/math.cpp)."""

__all__ = []
