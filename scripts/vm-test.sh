#!/bin/bash
# Make the initramfs of one scenario and run it in the test VM.
# Usage: scripts/vm-test.sh SCENARIO
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/make-initramfs.sh" "$1"
exec "$top/scripts/vm-run.sh" "$1"
