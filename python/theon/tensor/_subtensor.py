"""The subtensor family of theon.tensor (C++ in src/ops/subtensor.cpp)."""

__all__ = []
