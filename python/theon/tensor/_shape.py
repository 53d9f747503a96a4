"""The shape family of theon.tensor (C++ in src/ops/shape.cpp)."""

__all__ = []
