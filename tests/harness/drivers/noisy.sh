#!/bin/sh
# Writes known bytes to stdout and stderr around fake calls whose output must pass through
# unchanged (a failing metastat d99 writes its error to stderr).
printf 'driver stdout line\n'
printf 'driver stderr line\n' >&2
/usr/sbin/metastat d1
/usr/sbin/metastat d99
printf '\377raw bytes, no newline'
printf '\376raw stderr' >&2
exit 0
