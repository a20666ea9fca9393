"""Solaris Volume Manager, split as illumos splits it: ``md`` (the kernel: records and state
transitions), ``libmeta`` (the userland rules, names, texts and printing shared by the programs)
and ``cmd`` (the thin programs: getopt + libmeta + md)."""
