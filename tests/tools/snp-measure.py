#!/usr/bin/env python3
"""snp-measure.py: recompute AMD SEV-SNP launch digests from a VM console log.

An independent, host-side implementation of the SEV-SNP launch digest
("measurement"). It does not share code, tables or constants with the
kernel's simulated PSP firmware: it rebuilds every measured page from what
the console log describes (and, for OVMF launches, from the firmware image
on the host), chains the PAGE_INFO hashes itself and compares the result
with the digest the simulated firmware reported.

Sources of the rules (each is repeated where it is used):
  [ABI]   AMD SEV Secure Nested Paging Firmware ABI specification, section
          "SNP_LAUNCH_UPDATE" / "PAGE_INFO" (table "Layout of the PAGE_INFO
          structure"); summarised in the project's
          /work/shared/reference/snp-abi-facts.md section 9.
  [KVM]   Linux arch/x86/kvm/svm/sev.c: LAUNCH_UPDATE measures page by page in
          ascending GPA; LAUNCH_FINISH measures each vCPU's VMSA, vCPU index
          order, at GPA 0xFFFFFFFFF000.
  [QEMU]  QEMU >= 9.1: hw/i386/pc_sysfw_ovmf.c (OVMF GUIDed footer table,
          pc_system_parse_ovmf_flash / pc_system_ovmf_table_find),
          target/i386/sev.c (pc_system_parse_sev_metadata,
          snp_metadata_desc_to_page_type, snp_populate_metadata_pages,
          snp_launch_update_kernel_hashes, sev_encrypt_flash): the -bios image
          is measured first as NORMAL pages at 4 GiB - size, then the SEV
          metadata sections in table order.
  [EDK2]  tianocore/edk2 OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm (the
          GUIDed table, footer GUID at 0xffffffd0) and
          OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm ("ASEV" header and the
          section types 1..4, 0x10).
  [VIRTEE] virtee/sev-snp-measure (sevsnpmeasure/gctx.py, ovmf.py, guest.py):
          an independent offline implementation of the same chain, used to
          cross-check the layout rules above.

Usage:
  snp-measure.py [--ovmf-dir DIR] [--expect-blocks N] LOGFILE
  snp-measure.py --ovmf-info FILE
  snp-measure.py --self-test

Exit status: 0 only when every block matched (and, with --expect-blocks,
exactly N blocks were found); 1 otherwise.

Python 3 standard library only.
"""

import argparse
import hashlib
import os
import re
import struct
import sys
import tempfile
import uuid

PAGE_SIZE = 4096
LD_SIZE = 48                      # SHA-384 digest size [ABI]
ZERO_LD = bytes(LD_SIZE)          # the launch digest starts as 48 zeros [ABI]

# PAGE_TYPE values [ABI] (also KVM_SEV_SNP_PAGE_TYPE_* in the KVM UAPI).
PT_NORMAL = 1
PT_VMSA = 2
PT_ZERO = 3
PT_UNMEASURED = 4
PT_SECRETS = 5
PT_CPUID = 6
PAGE_TYPE_NAMES = {
    PT_NORMAL: "normal", PT_VMSA: "vmsa", PT_ZERO: "zero",
    PT_UNMEASURED: "unmeasured", PT_SECRETS: "secrets", PT_CPUID: "cpuid",
}
# Page types whose CONTENTS field is the SHA-384 of the page; all the others
# use 48 zero bytes [ABI].
HASHED_TYPES = (PT_NORMAL, PT_VMSA)

# GPA at which KVM measures each VMSA at LAUNCH_FINISH: all ones, page
# aligned, bits 63:52 clear [KVM] [VIRTEE gctx.py VMSA_GPA].
VMSA_GPA = 0xFFFFFFFFF000

# PAGE_INFO layout [ABI]: <48s DIGEST_CUR> <48s CONTENTS> <u16 LENGTH>
# <u8 PAGE_TYPE> <u8 IMI_PAGE> <u8 VMPL3> <u8 VMPL2> <u8 VMPL1> <u8 rsvd>
# <u64 GPA>, little-endian, no padding, 0x70 bytes in all.
PAGE_INFO_FMT = "<48s48sHBBBBBBQ"
PAGE_INFO_LEN = 0x70
PAGE_INFO_OFFSETS = {
    "DIGEST_CUR": 0x00, "CONTENTS": 0x30, "LENGTH": 0x60, "PAGE_TYPE": 0x62,
    "IMI_PAGE": 0x63, "VMPL3_PERMS": 0x64, "VMPL2_PERMS": 0x65,
    "VMPL1_PERMS": 0x66, "RESERVED": 0x67, "GPA": 0x68,
}

# OVMF GUIDs [EDK2 ResetVectorVtf0.asm] [QEMU pc_sysfw_ovmf.c, sev.c]
# [VIRTEE ovmf.py].
OVMF_TABLE_FOOTER_GUID = uuid.UUID("96b582de-1fb2-45f7-baea-a366c55a082d")
OVMF_SEV_METADATA_GUID = uuid.UUID("dc886566-984a-4798-a75e-5585a7bf67cc")
KNOWN_TABLE_GUIDS = {
    OVMF_SEV_METADATA_GUID: "SEV metadata offset",
    uuid.UUID("7255371f-3a3b-4b04-927b-1da6efa8d454"): "SEV hash table block",
    uuid.UUID("4c2eb361-7d9b-4cc3-8081-127c90d3d294"): "SEV secret block",
    uuid.UUID("00f771de-1a7e-4fcb-890e-68c77e2fb44e"): "SEV-ES reset block",
    uuid.UUID("e47a6535-984a-4798-865e-4685a7bf8ec2"): "TDX metadata offset",
}

# SEV metadata section types [EDK2 OvmfSevMetadata.asm] and the page type
# QEMU launches them with [QEMU sev.c snp_metadata_desc_to_page_type,
# snp_launch_update_kernel_hashes] [VIRTEE guest.py snp_update_section].
SEC_SNP_SEC_MEM = 1
SEC_SNP_SECRETS = 2
SEC_CPUID = 3
SEC_SVSM_CAA = 4
SEC_KERNEL_HASHES = 0x10
SECTION_NAMES = {
    SEC_SNP_SEC_MEM: "SNP_SEC_MEM", SEC_SNP_SECRETS: "SNP_SECRETS",
    SEC_CPUID: "CPUID", SEC_SVSM_CAA: "SVSM_CAA",
    SEC_KERNEL_HASHES: "KERNEL_HASHES",
}
SECTION_PAGE_TYPE = {
    SEC_SNP_SEC_MEM: PT_ZERO,
    SEC_SNP_SECRETS: PT_SECRETS,
    SEC_CPUID: PT_CPUID,
    SEC_SVSM_CAA: PT_ZERO,
    # Without -kernel QEMU leaves kernel_hashes off and
    # snp_launch_update_kernel_hashes() launches the section as ZERO pages;
    # sev-snp-measure does the same (update_zero_pages when no kernel).
    # With -kernel it would be a NORMAL page holding the hash table, which
    # this tool does not model (the console log carries no kernel hashes).
    SEC_KERNEL_HASHES: PT_ZERO,
}

FOUR_GIB = 1 << 32


class MeasureError(Exception):
    """A parse or consistency error: the block (or the run) fails."""


# ---------------------------------------------------------------------------
# The digest chain [ABI]

def sha384(data):
    return hashlib.sha384(data).digest()


def pack_page_info(digest_cur, contents, page_type, gpa):
    """The 0x70-byte PAGE_INFO [ABI]; IMI_PAGE and VMPL perms are 0."""
    if len(digest_cur) != LD_SIZE or len(contents) != LD_SIZE:
        raise MeasureError("PAGE_INFO digest/contents must be 48 bytes")
    return struct.pack(PAGE_INFO_FMT, digest_cur, contents, PAGE_INFO_LEN,
                       page_type, 0, 0, 0, 0, 0, gpa)


class LaunchDigest:
    """Running launch digest with per-type page counters."""

    def __init__(self):
        self.ld = ZERO_LD
        self.counts = dict.fromkeys(PAGE_TYPE_NAMES, 0)

    def page(self, page_type, gpa, data=None):
        """Measure one 4 KiB page. data is required for NORMAL and VMSA."""
        if page_type not in PAGE_TYPE_NAMES:
            raise MeasureError("unknown page type %r" % page_type)
        if gpa % PAGE_SIZE:
            raise MeasureError("GPA 0x%x is not page aligned" % gpa)
        if page_type in HASHED_TYPES:
            if data is None or len(data) != PAGE_SIZE:
                raise MeasureError("a %s page needs 4096 bytes of contents"
                                   % PAGE_TYPE_NAMES[page_type])
            contents = sha384(data)
        else:
            contents = ZERO_LD
        self.ld = sha384(pack_page_info(self.ld, contents, page_type, gpa))
        self.counts[page_type] += 1

    def pages(self, page_type, gpa, npages, data=None):
        """A multi-page update: page by page, ascending GPA [ABI] [KVM]."""
        for k in range(npages):
            chunk = None
            if data is not None:
                chunk = data[k * PAGE_SIZE:(k + 1) * PAGE_SIZE]
            self.page(page_type, gpa + k * PAGE_SIZE, chunk)

    def total(self):
        return sum(self.counts.values())

    def summary(self):
        c = self.counts
        return ("pages %d (normal %d, zero %d, unmeasured %d, secrets %d, "
                "cpuid %d, vmsa %d)" % (
                    self.total(), c[PT_NORMAL], c[PT_ZERO], c[PT_UNMEASURED],
                    c[PT_SECRETS], c[PT_CPUID], c[PT_VMSA]))


def pattern_page(gfn, seed):
    """Contents of a generated NORMAL page: byte j = (s + g*37 + j*11) & 0xff.

    (j * 11) & 0xff has period 256, so one 256-byte row is built and repeated.
    """
    base = (seed + gfn * 37) & 0xff
    row = bytes((base + j * 11) & 0xff for j in range(256))
    return row * (PAGE_SIZE // 256)


# ---------------------------------------------------------------------------
# OVMF image: GUIDed footer table and SEV metadata

class OvmfImage:
    """An OVMF image as QEMU (>= 9.1) sees it for an SNP guest with -bios.

    Footer table layout [EDK2 ResetVectorVtf0.asm] [QEMU pc_sysfw_ovmf.c]
    [VIRTEE ovmf.py _parse_footer_table]:
      - the last 0x20 bytes of the image are the AP entry jump, the VTF
        signature and the reset vector (0xffffffe0..0xffffffff);
      - the 16-byte footer GUID sits right below them, at image offset
        size - 0x30 (GPA 0xffffffd0) up to size - 0x20: QEMU compares at
        "flash_size - 48", sev-snp-measure at data[size-48:size-32].
        (Its last byte is at size - 0x21, i.e. it *ends* 0x20 bytes before
        the end of the image and *starts* 0x20 + 0x10 bytes before it.);
      - the u16 just below the footer GUID (size - 0x32) is the length of the
        whole table, footer included (guidedStructureEnd -
        guidedStructureStart), so the entries occupy the L - 18 bytes below;
      - entries are walked backwards from there; each is
        [data][u16 length of data + 2 + 16][16-byte GUID], GUIDs stored
        little-endian (uuid.UUID.bytes_le, QEMU's qemu_uuid_bswap).
    SEV metadata [EDK2 ResetVectorVtf0.asm OvmfSevMetadataOffsetStart,
    OvmfSevMetadata.asm] [QEMU sev.c pc_system_parse_sev_metadata]:
      - the entry dc886566-... holds a u32 = (4 GiB - address of the header),
        i.e. the header's distance from the end of the image;
      - header: "ASEV", u32 length (header + items), u32 version,
        u32 num_items; then num_items x {u32 base GPA, u32 size, u32 type}.
    """

    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as f:
                self.data = f.read()
        except OSError as e:
            raise MeasureError("cannot read OVMF image %s: %s"
                               % (path, e.strerror))
        self.size = len(self.data)
        if self.size == 0 or self.size % PAGE_SIZE:
            raise MeasureError("%s: size %d is not a multiple of 4096"
                               % (path, self.size))
        if self.size > FOUR_GIB:
            raise MeasureError("%s: image larger than 4 GiB" % path)
        # -bios: the image ends at 4 GiB [QEMU x86_bios_rom_init,
        # sev_encrypt_flash] [VIRTEE ovmf.py gpa()].
        self.gpa = FOUR_GIB - self.size
        self.table = self._parse_footer_table()
        (self.meta_offset, self.meta_len, self.meta_version,
         self.sections) = self._parse_sev_metadata()

    def _parse_footer_table(self):
        d, size = self.data, self.size
        if size < 0x32:
            raise MeasureError("%s: too small for an OVMF footer" % self.path)
        if d[size - 0x30:size - 0x20] != OVMF_TABLE_FOOTER_GUID.bytes_le:
            raise MeasureError("%s: no OVMF table footer GUID %s at offset "
                               "size-0x30" % (self.path,
                                              OVMF_TABLE_FOOTER_GUID))
        (full_len,) = struct.unpack_from("<H", d, size - 0x32)
        foot = size - 0x32                  # end of the entries
        remaining = full_len - 2 - 16       # minus the footer's len + GUID
        if remaining < 0 or remaining > foot:
            raise MeasureError("%s: OVMF table has invalid length %d"
                               % (self.path, full_len))
        entries = []                        # in table-walk order (backwards)
        while remaining >= 18:
            guid = uuid.UUID(bytes_le=d[foot - 16:foot])
            (elen,) = struct.unpack_from("<H", d, foot - 18)
            if elen < 18 or elen > remaining:
                raise MeasureError("%s: corrupt OVMF table entry %s (length "
                                   "%d, %d bytes left)"
                                   % (self.path, guid, elen, remaining))
            entries.append((guid, d[foot - elen:foot - 18]))
            foot -= elen
            remaining -= elen
        return entries

    def table_entry(self, guid):
        # The first match walking backwards wins, as in
        # pc_system_ovmf_table_find().
        for g, data in self.table:
            if g == guid:
                return data
        return None

    def _parse_sev_metadata(self):
        entry = self.table_entry(OVMF_SEV_METADATA_GUID)
        if entry is None:
            raise MeasureError("%s: no SEV metadata entry (%s) in the OVMF "
                               "table" % (self.path, OVMF_SEV_METADATA_GUID))
        if len(entry) < 4:
            raise MeasureError("%s: short SEV metadata entry" % self.path)
        (offset,) = struct.unpack_from("<I", entry, 0)
        start = self.size - offset
        if offset < 16 or start < 0:
            raise MeasureError("%s: SEV metadata offset 0x%x out of the image"
                               % (self.path, offset))
        sig, mlen, version, num = struct.unpack_from("<4sIII", self.data,
                                                     start)
        if sig != b"ASEV":
            raise MeasureError("%s: SEV metadata signature %r, not 'ASEV'"
                               % (self.path, sig))
        if mlen < 16 + 12 * num or mlen > offset:
            raise MeasureError("%s: SEV metadata length %d does not fit %d "
                               "items / the image" % (self.path, mlen, num))
        sections = []
        for i in range(num):
            base, slen, stype = struct.unpack_from("<III", self.data,
                                                   start + 16 + 12 * i)
            if base % PAGE_SIZE or slen % PAGE_SIZE or slen == 0:
                raise MeasureError("%s: SEV metadata section %d (base 0x%x "
                                   "size 0x%x) is not page aligned"
                                   % (self.path, i, base, slen))
            sections.append((base, slen, stype))
        return offset, mlen, version, sections

    def measure(self, ld):
        """Measure the image and the metadata sections into ld [QEMU]."""
        ld.pages(PT_NORMAL, self.gpa, self.size // PAGE_SIZE, self.data)
        for base, slen, stype in self.sections:
            if stype not in SECTION_PAGE_TYPE:
                raise MeasureError("%s: SEV metadata section type 0x%x at "
                                   "0x%x is not handled"
                                   % (self.path, stype, base))
            # QEMU launches desc->len bytes, i.e. size/4096 pages.
            # (sev-snp-measure measures one page for SECRETS/CPUID, which
            # agrees as long as those sections are one page each.)
            ld.pages(SECTION_PAGE_TYPE[stype], base, slen // PAGE_SIZE)

    def info_lines(self):
        out = ["ovmf %s: size 0x%x (%d pages) at GPA 0x%x-0x%x"
               % (self.path, self.size, self.size // PAGE_SIZE, self.gpa,
                  FOUR_GIB - 1)]
        out.append("footer table: %d entries" % len(self.table))
        for guid, data in self.table:
            out.append("  %s  %-22s data %s" % (
                guid, KNOWN_TABLE_GUIDS.get(guid, "?"), data.hex()))
        out.append("SEV metadata: at image offset 0x%x (GPA 0x%x), length %d,"
                   " version %d, %d sections"
                   % (self.size - self.meta_offset,
                      FOUR_GIB - self.meta_offset, self.meta_len,
                      self.meta_version, len(self.sections)))
        npages = 0
        for base, slen, stype in self.sections:
            pt = SECTION_PAGE_TYPE.get(stype)
            out.append("  base 0x%08x size 0x%06x type 0x%x %-13s -> %s x %d"
                       % (base, slen, stype, SECTION_NAMES.get(stype, "?"),
                          PAGE_TYPE_NAMES[pt].upper() if pt else "UNHANDLED",
                          slen // PAGE_SIZE))
            npages += slen // PAGE_SIZE
        out.append("pages measured: %d image (NORMAL) + %d metadata = %d, "
                   "plus one VMSA per vCPU" % (self.size // PAGE_SIZE, npages,
                                               self.size // PAGE_SIZE
                                               + npages))
        ld = LaunchDigest()
        try:
            self.measure(ld)
            out.append("launch digest before the VMSAs: %s" % ld.ld.hex())
        except MeasureError as e:
            out.append("cannot measure: %s" % e)
        return out


# ---------------------------------------------------------------------------
# Console log parsing

TOKEN = "snp-launch:"
HEX96 = re.compile(r"^[0-9a-fA-F]{96}$")
HEXNUM = re.compile(r"^0[xX][0-9a-fA-F]+$")


class Block:
    def __init__(self, name, lineno):
        self.name = name
        self.lineno = lineno
        self.steps = []          # ("update", gfn, npages, type, seed) or
        #                          ("ovmf", basename)
        self.vmsa = {}           # vcpu -> list of (off, bytes, lineno)
        self.digest = None
        self.error = None


def _fields(words, lineno, required, optional=()):
    out = {}
    for w in words:
        if "=" not in w:
            raise MeasureError("line %d: field %r is not key=value"
                               % (lineno, w))
        k, v = w.split("=", 1)
        if k not in required and k not in optional:
            raise MeasureError("line %d: unexpected field %r" % (lineno, k))
        if k in out:
            raise MeasureError("line %d: duplicate field %r" % (lineno, k))
        out[k] = v
    for k in required:
        if k not in out:
            raise MeasureError("line %d: missing field %r" % (lineno, k))
    return out


def _hexnum(v, what, lineno):
    if not HEXNUM.match(v):
        raise MeasureError("line %d: %s=%r is not 0xHEX" % (lineno, what, v))
    return int(v, 16)


def _decnum(v, what, lineno):
    try:
        return int(v, 0)
    except ValueError:
        raise MeasureError("line %d: %s=%r is not a number"
                           % (lineno, what, v)) from None


def _parse_record(blk, words, lineno):
    """One snp-launch line inside a block (not begin/end)."""
    kind = words[0]
    if kind == "update":
        f = _fields(words[1:], lineno, ("gfn", "npages", "type"), ("seed",))
        gfn = _hexnum(f["gfn"], "gfn", lineno)
        npages = _decnum(f["npages"], "npages", lineno)
        ptype = _decnum(f["type"], "type", lineno)
        if npages < 1:
            raise MeasureError("line %d: npages must be >= 1" % lineno)
        if ptype not in (PT_NORMAL, PT_ZERO, PT_UNMEASURED, PT_SECRETS,
                         PT_CPUID):
            raise MeasureError("line %d: update type %d not allowed"
                               % (lineno, ptype))
        seed = None
        if ptype == PT_NORMAL:
            if "seed" not in f:
                raise MeasureError("line %d: NORMAL update without seed"
                                   % lineno)
            seed = _decnum(f["seed"], "seed", lineno)
        elif "seed" in f:
            raise MeasureError("line %d: seed given for type %d (only for "
                               "type 1)" % (lineno, ptype))
        blk.steps.append(("update", gfn, npages, ptype, seed))
    elif kind == "ovmf":
        f = _fields(words[1:], lineno, ("file",))
        if any(s[0] == "ovmf" for s in blk.steps):
            raise MeasureError("line %d: second ovmf line in one block"
                               % lineno)
        base = f["file"]
        if not base or "/" in base or base in (".", ".."):
            raise MeasureError("line %d: ovmf file=%r is not a basename"
                               % (lineno, base))
        blk.steps.append(("ovmf", base))
    elif kind == "vmsa":
        f = _fields(words[1:], lineno, ("vcpu", "off", "hex"))
        vcpu = _decnum(f["vcpu"], "vcpu", lineno)
        off = _hexnum(f["off"], "off", lineno)
        try:
            chunk = bytes.fromhex(f["hex"])
        except ValueError:
            raise MeasureError("line %d: bad hex in vmsa chunk"
                               % lineno) from None
        if vcpu < 0:
            raise MeasureError("line %d: negative vcpu" % lineno)
        blk.vmsa.setdefault(vcpu, []).append((off, chunk, lineno))
    elif kind.startswith("digest="):
        if len(words) != 1:
            raise MeasureError("line %d: extra fields after digest" % lineno)
        v = kind[len("digest="):]
        if not HEX96.match(v):
            raise MeasureError("line %d: digest is not 96 hex characters"
                               % lineno)
        if blk.digest is not None:
            raise MeasureError("line %d: second digest in one block" % lineno)
        blk.digest = v.lower()
    else:
        raise MeasureError("line %d: unknown record %r" % (lineno, kind))


def parse_log(text):
    """Return (blocks, errors). A block with a parse error has .error set;
    errors outside any block are returned in errors."""
    blocks, errors = [], []
    cur = None
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.replace("\r", "")
        pos = line.find(TOKEN)
        if pos < 0:
            continue
        words = line[pos + len(TOKEN):].split()
        if not words:
            msg = "line %d: empty snp-launch record" % lineno
            if cur:
                cur.error = cur.error or msg
            else:
                errors.append(msg)
            continue
        kind = words[0]
        if kind == "begin":
            if cur is not None:
                cur.error = cur.error or ("line %d: begin inside block (no "
                                          "end)" % lineno)
                blocks.append(cur)
                cur = None
            try:
                f = _fields(words[1:], lineno, ("name",))
                cur = Block(f["name"], lineno)
            except MeasureError as e:
                cur = Block("<line %d>" % lineno, lineno)
                cur.error = str(e)
            continue
        if cur is None:
            errors.append("line %d: %r outside a begin/end block"
                          % (lineno, kind))
            continue
        if kind == "end":
            if len(words) != 1:
                cur.error = cur.error or ("line %d: fields after end"
                                          % lineno)
            if cur.digest is None and not cur.error:
                cur.error = "line %d: block ended without a digest" % lineno
            blocks.append(cur)
            cur = None
            continue
        if cur.error:
            continue
        try:
            _parse_record(cur, words, lineno)
        except MeasureError as e:
            cur.error = str(e)
    if cur is not None:
        cur.error = cur.error or "block begun at line %d never ends" % (
            cur.lineno)
        blocks.append(cur)
    return blocks, errors


def assemble_vmsas(blk):
    """vCPU index order; each vCPU's chunks must cover 4096 bytes exactly."""
    if not blk.vmsa:
        return []
    n = max(blk.vmsa) + 1
    pages = []
    for vcpu in range(n):
        chunks = blk.vmsa.get(vcpu)
        if not chunks:
            raise MeasureError("no VMSA chunks for vCPU %d (vCPUs 0..%d "
                               "expected)" % (vcpu, n - 1))
        page = bytearray(PAGE_SIZE)
        covered = bytearray(PAGE_SIZE)
        for off, data, lineno in chunks:
            if off + len(data) > PAGE_SIZE or not data:
                raise MeasureError("line %d: VMSA chunk off=0x%x len %d is "
                                   "outside the 4096-byte page"
                                   % (lineno, off, len(data)))
            if any(covered[off:off + len(data)]):
                raise MeasureError("line %d: VMSA chunk of vCPU %d at 0x%x "
                                   "overlaps an earlier chunk"
                                   % (lineno, vcpu, off))
            page[off:off + len(data)] = data
            covered[off:off + len(data)] = b"\x01" * len(data)
        if not all(covered):
            raise MeasureError("VMSA chunks of vCPU %d cover %d of 4096 bytes"
                               % (vcpu, sum(covered)))
        pages.append(bytes(page))
    return pages


def measure_block(blk, ovmf_dir, ovmf_cache):
    ld = LaunchDigest()
    for step in blk.steps:
        if step[0] == "update":
            _, gfn, npages, ptype, seed = step
            for k in range(npages):
                g = gfn + k
                data = pattern_page(g, seed) if ptype == PT_NORMAL else None
                ld.page(ptype, g * PAGE_SIZE, data)
        else:
            if ovmf_dir is None:
                raise MeasureError("block uses ovmf file=%s but no --ovmf-dir"
                                   % step[1])
            path = os.path.join(ovmf_dir, step[1])
            if path not in ovmf_cache:
                ovmf_cache[path] = OvmfImage(path)
            ovmf_cache[path].measure(ld)
    # VMSAs last, vCPU 0, 1, ... at VMSA_GPA [KVM] [ABI].
    for page in assemble_vmsas(blk):
        ld.page(PT_VMSA, VMSA_GPA, page)
    return ld


def check_log(path, ovmf_dir=None, expect_blocks=None, out=sys.stdout):
    """Check every block of a log; returns the exit status (0 or 1)."""
    def say(msg):
        print(msg, file=out)

    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        say("snp-measure: error: cannot read %s: %s" % (path, e.strerror))
        return 1
    blocks, errors = parse_log(text)
    ok = True
    for msg in errors:
        say("snp-measure: error: %s" % msg)
        ok = False
    cache = {}
    for blk in blocks:
        if blk.error:
            say("snp-measure: %s: ERROR %s" % (blk.name, blk.error))
            ok = False
            continue
        try:
            ld = measure_block(blk, ovmf_dir, cache)
        except MeasureError as e:
            say("snp-measure: %s: ERROR %s" % (blk.name, e))
            ok = False
            continue
        mine = ld.ld.hex()
        if mine == blk.digest:
            say("snp-measure: %s: %s digest %s OK"
                % (blk.name, ld.summary(), mine))
        else:
            say("snp-measure: %s: %s MISMATCH expected %s, firmware said %s"
                % (blk.name, ld.summary(), mine, blk.digest))
            ok = False
    if not blocks:
        say("snp-measure: error: no snp-launch block found in %s" % path)
        ok = False
    if expect_blocks is not None and len(blocks) != expect_blocks:
        say("snp-measure: error: %d blocks found, %d expected"
            % (len(blocks), expect_blocks))
        ok = False
    return 0 if ok else 1


# ---------------------------------------------------------------------------
# Self-test

def _naive_digest(pages):
    """Second, deliberately plain coding of the chain for the self-test:
    pages = [(type, gpa, data-or-None)], fields concatenated by hand."""
    ld = bytes(48)
    for ptype, gpa, data in pages:
        contents = (hashlib.sha384(data).digest() if ptype in (1, 2)
                    else bytes(48))
        info = (ld + contents + (0x70).to_bytes(2, "little")
                + bytes([ptype, 0, 0, 0, 0, 0]) + gpa.to_bytes(8, "little"))
        ld = hashlib.sha384(info).digest()
    return ld.hex()


def _naive_pattern(gfn, seed):
    return bytes([(seed + gfn * 37 + j * 11) & 0xff for j in range(4096)])


def _synthetic_ovmf():
    """A 16 KiB image with an OVMF footer table and SEV metadata, laid out
    as ResetVectorVtf0.asm does (table ending 0x20 bytes before the end)."""
    size = 0x4000
    img = bytearray((i * 7 + 3) & 0xff for i in range(size))
    sections = [(0x800000, 0x2000, SEC_SNP_SEC_MEM),
                (0x802000, 0x1000, SEC_SNP_SECRETS),
                (0x803000, 0x1000, SEC_CPUID),
                (0x804000, 0x1000, SEC_SVSM_CAA)]
    meta = struct.pack("<4sIII", b"ASEV", 16 + 12 * len(sections), 1,
                       len(sections))
    for s in sections:
        meta += struct.pack("<III", *s)
    meta_at = 0x3000
    img[meta_at:meta_at + len(meta)] = meta
    # entries, lowest first: an unrelated one, then the metadata offset
    other = (struct.pack("<I", 0x80b004)
             + struct.pack("<H", 4 + 18)
             + uuid.UUID("00f771de-1a7e-4fcb-890e-68c77e2fb44e").bytes_le)
    sev = (struct.pack("<I", size - meta_at) + struct.pack("<H", 4 + 18)
           + OVMF_SEV_METADATA_GUID.bytes_le)
    table = other + sev
    footer = (struct.pack("<H", len(table) + 18)
              + OVMF_TABLE_FOOTER_GUID.bytes_le)
    blob = table + footer
    end = size - 0x20
    img[end - len(blob):end] = blob
    return bytes(img), sections


def self_test():
    failures = []

    def check(cond, what):
        print("  [%s] %s" % ("ok" if cond else "FAIL", what))
        if not cond:
            failures.append(what)

    print("snp-measure self-test")
    print("PAGE_INFO packing:")
    cur = bytes(range(48))
    cont = bytes(range(100, 148))
    gpa = 0x0123456789abc000
    pi = pack_page_info(cur, cont, PT_SECRETS, gpa)
    check(len(pi) == 0x70 and struct.calcsize(PAGE_INFO_FMT) == 0x70,
          "size 0x70")
    o = PAGE_INFO_OFFSETS
    check(pi[o["DIGEST_CUR"]:o["DIGEST_CUR"] + 48] == cur,
          "DIGEST_CUR at 0x00")
    check(pi[o["CONTENTS"]:o["CONTENTS"] + 48] == cont, "CONTENTS at 0x30")
    check(struct.unpack_from("<H", pi, o["LENGTH"])[0] == 0x70,
          "LENGTH u16 0x70 at 0x60")
    check(pi[o["PAGE_TYPE"]] == PT_SECRETS, "PAGE_TYPE u8 at 0x62")
    check(pi[0x63:0x68] == bytes(5),
          "IMI_PAGE, VMPL3/2/1 perms, reserved = 0 at 0x63..0x67")
    check(struct.unpack_from("<Q", pi, o["GPA"])[0] == gpa,
          "GPA u64 at 0x68")
    check(pi == (cur + cont + b"\x70\x00\x05\x00\x00\x00\x00\x00"
                 + gpa.to_bytes(8, "little")),
          "equals a hand-assembled PAGE_INFO")

    print("pattern generator:")
    p = pattern_page(0x123, 7)
    check(len(p) == 4096, "4096 bytes")
    check(p[0] == (7 + 0x123 * 37) & 0xff
          and p[1] == (7 + 0x123 * 37 + 11) & 0xff
          and p[4095] == (7 + 0x123 * 37 + 4095 * 11) & 0xff,
          "bytes 0, 1, 4095 follow (s + g*37 + j*11) & 0xff")
    check(all(pattern_page(g, s) == _naive_pattern(g, s)
              for g, s in ((0, 0), (1, 255), (0x7ffff, 1000), (12345, 3))),
          "whole pages equal a byte-by-byte loop (4 cases)")

    print("footer table / SEV metadata:")
    img, sections = _synthetic_ovmf()
    with tempfile.TemporaryDirectory(prefix="snp-measure-") as tmp:
        with open(os.path.join(tmp, "FAKE.fd"), "wb") as f:
            f.write(img)
        ov = OvmfImage(os.path.join(tmp, "FAKE.fd"))
        check(ov.gpa == FOUR_GIB - 0x4000, "image GPA = 4 GiB - size")
        check(len(ov.table) == 2 and ov.table[0][0] == OVMF_SEV_METADATA_GUID,
              "two table entries, walked backwards from the footer")
        check(ov.sections == sections, "four metadata sections in order")
        with open(os.path.join(tmp, "BAD.fd"), "wb") as f:
            f.write(img[:-0x30] + bytes(0x30))
        try:
            OvmfImage(os.path.join(tmp, "BAD.fd"))
            check(False, "image without footer GUID rejected")
        except MeasureError:
            check(True, "image without footer GUID rejected")

        print("chain on a synthetic log:")
        # block "plain": updates of every type + 2 vCPUs
        vmsa0 = bytes((i * 13 + 1) & 0xff for i in range(4096))
        vmsa1 = bytes((i * 17 + 9) & 0xff for i in range(4096))
        plain_pages = []
        for k in range(3):
            plain_pages.append((1, (0x100 + k) << 12,
                                _naive_pattern(0x100 + k, 42)))
        plain_pages += [(3, 0x200 << 12, None), (3, 0x201 << 12, None),
                        (4, 0x300 << 12, None), (5, 0x400 << 12, None),
                        (6, 0x401 << 12, None), (1, 0x10 << 12,
                                                 _naive_pattern(0x10, 0))]
        plain_pages += [(2, 0xFFFFFFFFF000, vmsa0),
                        (2, 0xFFFFFFFFF000, vmsa1)]
        plain = _naive_digest(plain_pages)
        ovmf_pages = [(1, FOUR_GIB - 0x4000 + k * 4096,
                       img[k * 4096:(k + 1) * 4096]) for k in range(4)]
        ovmf_pages += [(3, 0x800000, None), (3, 0x801000, None),
                       (5, 0x802000, None), (6, 0x803000, None),
                       (3, 0x804000, None), (2, 0xFFFFFFFFF000, vmsa0)]
        ovmf_digest = _naive_digest(ovmf_pages)
        empty = _naive_digest([(2, 0xFFFFFFFFF000, vmsa1)])
        wrong = plain[:-1] + ("0" if plain[-1] != "0" else "1")

        def vmsa_lines(vcpu, page, step, order):
            offs = list(range(0, 4096, step))
            if order:
                offs = offs[1::2] + offs[0::2]
            return ["snp-launch: vmsa vcpu=%d off=0x%x hex=%s"
                    % (vcpu, o, page[o:o + step].hex()) for o in offs]

        lines = ["random boot noise", "[    0.000000] Linux version 6.1"]
        lines += ["snp-launch: begin name=plain",
                  "snp-launch: update gfn=0x100 npages=3 type=1 seed=42",
                  "[   12.345678] snp-launch: update gfn=0x200 npages=2 "
                  "type=3",
                  "vm0| [   12.5] snp-launch: update gfn=0x300 npages=1 "
                  "type=4\r",
                  "snp-launch: update gfn=0x400 npages=1 type=5",
                  "some other kernel line",
                  "snp-launch: update gfn=0x401 npages=1 type=6",
                  "snp-launch: update gfn=0x10 npages=1 type=1 seed=0"]
        lines += vmsa_lines(1, vmsa1, 64, True)
        lines += vmsa_lines(0, vmsa0, 64, False)
        lines += ["snp-launch: digest=%s" % plain.upper(), "snp-launch: end"]
        lines += ["snp-launch: begin name=ovmf",
                  "snp-launch: ovmf file=FAKE.fd"]
        lines += vmsa_lines(0, vmsa0, 1024, False)
        lines += ["snp-launch: digest=%s" % ovmf_digest, "snp-launch: end"]
        lines += ["snp-launch: begin name=vmsa-only"]
        lines += ["snp-launch: vmsa vcpu=0 off=0x0 hex=%s"
                  % vmsa1[:1000].hex(),
                  "snp-launch: vmsa vcpu=0 off=0x3e8 hex=%s"
                  % vmsa1[1000:].hex()]
        lines += ["snp-launch: digest=%s" % empty, "snp-launch: end"]
        good = "\r\n".join(lines) + "\r\n"
        bad_tail = ["snp-launch: begin name=wrong-digest",
                    "snp-launch: update gfn=0x100 npages=3 type=1 seed=42",
                    "snp-launch: update gfn=0x200 npages=2 type=3",
                    "snp-launch: update gfn=0x300 npages=1 type=4",
                    "snp-launch: update gfn=0x400 npages=1 type=5",
                    "snp-launch: update gfn=0x401 npages=1 type=6",
                    "snp-launch: update gfn=0x10 npages=1 type=1 seed=0"]
        bad_tail += vmsa_lines(0, vmsa0, 64, False)
        bad_tail += vmsa_lines(1, vmsa1, 64, False)
        bad_tail += ["snp-launch: digest=%s" % wrong, "snp-launch: end"]
        short = ["snp-launch: begin name=short-vmsa"]
        short += vmsa_lines(0, vmsa0, 64, False)[:-1]
        short += ["snp-launch: digest=%s" % empty, "snp-launch: end"]

        shown = set()

        def run(name, text, **kw):
            path = os.path.join(tmp, name)
            with open(path, "w", newline="") as f:
                f.write(text)

            class Cap:
                def __init__(self):
                    self.lines = []

                def write(self, s):
                    self.lines.extend(x for x in s.split("\n") if x)

            cap = Cap()
            rc = check_log(path, ovmf_dir=tmp, out=cap, **kw)
            for ln in cap.lines:
                if ln not in shown:
                    shown.add(ln)
                    print("      " + ln)
            return rc, cap.lines

        rc, out = run("good.log", good, expect_blocks=3)
        check(rc == 0 and len(out) == 3 and all(x.endswith(" OK")
                                                for x in out),
              "3 good blocks (updates of all types, OVMF image, VMSA-only; "
              "timestamps, prefixes, CRLF, shuffled chunks) -> OK, exit 0")
        check("pages 11 (normal 4, zero 2, unmeasured 1, secrets 1, cpuid 1, "
              "vmsa 2)" in out[0], "page counts of block 'plain'")
        rc, _ = run("count.log", good, expect_blocks=4)
        check(rc == 1, "--expect-blocks 4 on 3 blocks -> exit 1")
        rc, out = run("bad.log", good + "\n".join(bad_tail) + "\n")
        check(rc == 1 and " MISMATCH expected %s, firmware said %s"
              % (plain, wrong) in out[-1],
              "deliberately wrong digest -> MISMATCH, exit 1")
        rc, out = run("short.log", "\n".join(short) + "\n")
        check(rc == 1 and "ERROR" in out[0] and "4032 of 4096" in out[0],
              "VMSA chunks covering 4032 bytes -> ERROR, exit 1")
        rc, out = run("none.log", "no blocks here\n")
        check(rc == 1, "log without blocks -> exit 1")
        rc, out = run("open.log", "snp-launch: begin name=x\n"
                      "snp-launch: update gfn=0x1 npages=1 type=3\n")
        check(rc == 1 and "never ends" in out[0], "unterminated block -> "
              "ERROR, exit 1")

    if failures:
        print("self-test FAILED: %d check(s)" % len(failures))
        return 1
    print("self-test passed")
    return 0


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Recompute SEV-SNP launch digests from snp-launch: "
                    "console log blocks and compare them with the digests "
                    "the simulated firmware reported.")
    ap.add_argument("logfile", nargs="?", help="VM console log")
    ap.add_argument("--ovmf-dir", metavar="DIR",
                    help="directory holding the OVMF images named by "
                         "'ovmf file=' lines")
    ap.add_argument("--expect-blocks", type=int, metavar="N",
                    help="fail unless exactly N blocks are found")
    ap.add_argument("--ovmf-info", metavar="FILE",
                    help="print the OVMF footer table and SEV metadata")
    ap.add_argument("--self-test", action="store_true",
                    help="check the PAGE_INFO packing, the pattern and the "
                         "chain on a synthetic log")
    args = ap.parse_args(argv)

    if args.self_test:
        return self_test()
    if args.ovmf_info:
        try:
            for line in OvmfImage(args.ovmf_info).info_lines():
                print(line)
        except MeasureError as e:
            print("snp-measure: error: %s" % e)
            return 1
        return 0
    if not args.logfile:
        ap.error("LOGFILE is required")
    return check_log(args.logfile, args.ovmf_dir, args.expect_blocks)


if __name__ == "__main__":
    sys.exit(main())
