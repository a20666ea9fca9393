"""The md driver: metadevice records, their states and every state transition (illumos
uts/common/io/lvm). Pure data and rules: no printing, no I/O; errors are raised as MDError."""
