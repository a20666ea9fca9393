#!/bin/sh
# Does nothing and claims success: the verdict must call it a silent failure.
echo "backup OK"
exit 0
