"""The in-memory model of a Solaris host: pure data and rules, no I/O and no printing."""
