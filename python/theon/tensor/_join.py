"""The join family of theon.tensor (C++ in src/ops/join.cpp)."""

__all__ = []
