#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run inside qaic-sim-card: discover the simulated devices the way
Qualcomm's open runtime does (libudev: accel class devices and their
parents, FACTS.md §7.1; the PCI sysfs attributes libpci reads) and ask
each node's firmware for its status over DRM_IOCTL_QAIC_MANAGE (the NNC
STATUS command).  Prints one line per finding, for tests/card/card.sh:

  UDEV <sysname> <devnode> <parent sysname> <parent subsystem>
  PCI <bdf> <vendor> <device> <class> <link cap speed> <link cap width>
  STATUS <node> <answer len> <answer cmd> <nnc status> <hw major> <nsp free>
"""
import ctypes
import fcntl
import os
import struct
import sys


def udev():
    lib = ctypes.CDLL("libudev.so.1")
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    for name, res, args in [
            ("udev_new", vp, []),
            ("udev_enumerate_new", vp, [vp]),
            ("udev_enumerate_add_match_subsystem", ctypes.c_int, [vp, cp]),
            ("udev_enumerate_scan_devices", ctypes.c_int, [vp]),
            ("udev_enumerate_get_list_entry", vp, [vp]),
            ("udev_list_entry_get_next", vp, [vp]),
            ("udev_list_entry_get_name", cp, [vp]),
            ("udev_device_new_from_syspath", vp, [vp, cp]),
            ("udev_device_get_sysname", cp, [vp]),
            ("udev_device_get_devnode", cp, [vp]),
            ("udev_device_get_parent", vp, [vp]),
            ("udev_device_get_subsystem", cp, [vp])]:
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    u = lib.udev_new()
    e = lib.udev_enumerate_new(u)
    lib.udev_enumerate_add_match_subsystem(e, b"accel")
    lib.udev_enumerate_scan_devices(e)
    ent = lib.udev_enumerate_get_list_entry(e)
    out = []
    while ent:
        d = lib.udev_device_new_from_syspath(u, lib.udev_list_entry_get_name(ent))
        if d:
            p = lib.udev_device_get_parent(d)
            dec = lambda b: b.decode() if b else "-"
            out.append("UDEV %s %s %s %s" % (
                dec(lib.udev_device_get_sysname(d)),
                dec(lib.udev_device_get_devnode(d)),
                dec(lib.udev_device_get_sysname(p)) if p else "-",
                dec(lib.udev_device_get_subsystem(p)) if p else "-"))
        ent = lib.udev_list_entry_get_next(ent)
    return sorted(out)


def pci():
    out = []
    base = "/sys/bus/pci/devices"
    for bdf in sorted(os.listdir(base)):
        d = os.path.join(base, bdf)
        rd = lambda n: open(os.path.join(d, n)).read().strip()
        cfg = open(os.path.join(d, "config"), "rb").read()
        cap = cfg[0x34] if (cfg[6] & 0x10) else 0
        speed = width = 0
        while cap:
            if cfg[cap] == 0x10:  # PCI Express
                lnkcap = struct.unpack_from("<H", cfg, cap + 0x0c)[0]
                speed, width = lnkcap & 0xf, (lnkcap >> 4) & 0x3f
                break
            cap = cfg[cap + 1]
        out.append("PCI %s %s %s %s %d %d" % (bdf, rd("vendor"), rd("device"),
                                               rd("class"), speed, width))
    return out


def status(node):
    buf = ctypes.create_string_buffer(4096)
    # passthrough transaction: header {type 1, len 24}, NNC cmd 13 (STATUS)
    struct.pack_into("<IIII", buf, 0, 1, 24, 13, 0)
    msg = bytearray(struct.pack("<IIQ", 24, 1, ctypes.addressof(buf)))
    fd = os.open(node, os.O_RDWR)
    try:
        fcntl.ioctl(fd, 0xc0106440, msg)  # DRM_IOCTL_QAIC_MANAGE
    finally:
        os.close(fd)
    ln, count, _ = struct.unpack("<IIQ", bytes(msg))
    cmd, st = struct.unpack_from("<Ii", buf, 8)
    dev = 16 + 8
    hw = struct.unpack_from("<I", buf, dev + 96)[0] >> 16
    nsp_free = buf.raw[dev + 152 + 15]
    return "STATUS %s %d %d %d %d %d" % (node, ln, cmd, st, hw, nsp_free)


def main():
    for line in udev() + pci():
        print(line)
    for n in sorted(os.listdir("/dev/accel")):
        print(status("/dev/accel/" + n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
