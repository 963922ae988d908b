#!/usr/bin/env python3
"""Write an ACPI ASPT table (AMD Secure Processor Table) for the test VM.

QEMU gives it to the guest with -acpitable file=FILE. The register page is
at WINDOW; with snp_sim=psp and memmap=4K$WINDOW the simulated PSP serves
it. The layout is that of include/acpi/actbl1.h (struct acpi_table_aspt
and its subtables, added by the psp-aspt part): a 36-byte ACPI header, u32
num_entries, then three 32-byte subtables (global registers, SEV mailbox,
ACPI mailbox), each with a u16 type and a u16 length.

Usage: make-aspt.py WINDOW OUT [BREAK]
BREAK makes a malformed table for the negative tests:
  two-pages   the ACPI CmdResp register is in the next page
  revision    revision 2
  truncated   num_entries says 4
  no-acpi     the ACPI mailbox subtable is missing
"""
import struct
import sys

# Register offsets in the page, and the SEV mailbox interrupt id
FEATURE, INTEN, INTSTS = 0x3FC, 0x690, 0x694
SEV_CMDRESP, SEV_BUF_LO, SEV_BUF_HI = 0x980, 0x9E0, 0x9E4
ACPI_CMDRESP = 0x970
MBOX_IRQ_ID = 5


def subtable(typ, body):
    return struct.pack("<HH", typ, 4 + len(body)) + body


def table(window, brk):
    acpi_cmdresp = window + ACPI_CMDRESP
    if brk == "two-pages":
        acpi_cmdresp = window + 0x1000 + ACPI_CMDRESP
    subs = [
        subtable(0, struct.pack("<IQQQ", 0, window + FEATURE,
                                window + INTEN, window + INTSTS)),
        subtable(1, struct.pack("<B3xQQQ", MBOX_IRQ_ID, window + SEV_CMDRESP,
                                window + SEV_BUF_LO, window + SEV_BUF_HI)),
        subtable(2, struct.pack("<IQQQ", 0, acpi_cmdresp, 0, 0)),
    ]
    if brk == "no-acpi":
        subs = subs[:2]
    num = len(subs) + (1 if brk == "truncated" else 0)
    body = struct.pack("<I", num) + b"".join(subs)
    rev = 2 if brk == "revision" else 1
    length = 36 + len(body)
    hdr = struct.pack("<4sIBB6s8sI4sI", b"ASPT", length, rev, 0, b"SNPTST",
                      b"SNPTSTPS", 1, b"SNPT", 1)
    data = bytearray(hdr + body)
    data[9] = (-sum(data)) & 0xFF
    assert sum(data) & 0xFF == 0
    return bytes(data)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    window = int(sys.argv[1], 0)
    brk = sys.argv[3] if len(sys.argv) == 4 else ""
    if brk not in ("", "two-pages", "revision", "truncated", "no-acpi"):
        sys.exit(f"make-aspt: unknown BREAK '{brk}'")
    if window % 4096:
        sys.exit("make-aspt: WINDOW must be 4 KiB aligned")
    with open(sys.argv[2], "wb") as f:
        f.write(table(window, brk))


if __name__ == "__main__":
    main()
