"""Training labs: a trainee at a simulated Solaris host, given a task, hints and a grade.

``svmsim lab NAME [--seed N]`` (``simulator.cli.lab``) opens :mod:`simulator.lab.terminal`'s
prompt on a :class:`~simulator.lab.shell.LabShell`, the third front over the one
:class:`~simulator.session.session.Session`. Modules: ``labfile`` (the lab file format,
variants by seed, the shipped labs in ``labs/``), ``shell`` (a line run on the host,
recorded), ``utilities`` (the shell's small programs: cat, grep, ls, sleep...), ``files``
(the host's in-memory files), ``objectives`` (grading), ``views`` (task, check and status,
with rich), ``terminal`` (prompt_toolkit, and answer files).
"""
