"""SunOS programs that real admin scripts call beside the SVM and UFS ones.

The commands a backup or monitoring script runs to learn about the host it is on: which
release and zone it is (``/etc/release``, ``zonename``), whether DiskSuite is loaded
(``modinfo``), the boot PROM settings of a mirrored root (``eeprom``), the disks and their
labels (``format``, ``prtvtoc``, ``iostat -En``), swap (``swap -l``), SMF services (``svcs``),
the tape drive (``mt``) and mail (``mailx``/``sendmail``, recorded, never sent).

Each program in :mod:`simulator.sunos.cmd` follows its illumos source, named in its
docstring, and reads the host through its typed parts (``host.md``, ``host.fs``,
``host.backups``, ``host.disks``); the facts several programs share (disk geometry, inquiry
data, physical paths, the root mirror) live in :mod:`simulator.sunos.disks`. What only these
programs change (PROM variables, mail) is the typed host part ``host.sunos``
(:mod:`simulator.sunos.state`); the release a host runs is :mod:`simulator.sunos.release`.
"""
