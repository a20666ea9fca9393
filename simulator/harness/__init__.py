"""Runs real driver scripts against the simulation: shim transport, virtual time, sandbox."""
