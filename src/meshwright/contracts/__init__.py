"""Contracts between services: what changes between two model versions break callers."""
