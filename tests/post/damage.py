#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Damage a copy of a CTF trace (e2e_damaged.sh).
  damage.py cut FILE BYTES          truncate FILE to BYTES
  damage.py bytes FILE SEED COUNT   set COUNT random bytes past the first
                                    packet header (64 bytes) to random
                                    values, reproducibly from SEED
"""
import random
import sys

cmd, path = sys.argv[1], sys.argv[2]
if cmd == 'cut':
    with open(path, 'r+b') as f:
        f.truncate(int(sys.argv[3]))
elif cmd == 'bytes':
    rnd = random.Random(int(sys.argv[3]))
    data = bytearray(open(path, 'rb').read())
    for _ in range(int(sys.argv[4])):
        i = rnd.randrange(64, len(data))
        data[i] = rnd.randrange(256)
    open(path, 'wb').write(data)
else:
    sys.exit('damage.py: unknown command ' + cmd)
