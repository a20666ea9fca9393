"""The fault catalogue, one module per part of the model: :mod:`.lvm` (metadevices and
replicas), :mod:`.host` (the host: panic, reboot, clock), :mod:`.ufs` (file systems, fsck,
lockfs) and :mod:`.backup` (dumps and tapes). Each defines ``KINDS``, a tuple of
:class:`simulator.faults.kind.FaultKind`; :mod:`simulator.faults.catalog` joins them."""
