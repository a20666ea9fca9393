"""Shared machinery that knows no SVM rule: the Solaris device grammar, getopt(3C), the
invocation of a fake command, strerror texts, units, the virtual clock, disks, the file port and
the one table of fake programs (moto's ``core/``)."""
