"""The blas family of theon.tensor (C++ in src/ops/blas.cpp)."""

__all__ = []
