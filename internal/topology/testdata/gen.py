#!/usr/bin/env python3
"""Writes the fixture sysfs trees the topology tests read.

Run from this directory: python3 gen.py. Each machine is a list of CPUs with
(package, die, core_id, siblings, caches, node); the tree holds the files
topology.Read reads, laid out as /sys/devices/system/cpu lays them out.
"""
import os, shutil

def cpulist(ids):
    ids = sorted(ids); out = []; i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j+1] == ids[j] + 1: j += 1
        out.append(str(ids[i]) if i == j else "%d-%d" % (ids[i], ids[j])); i = j + 1
    return ",".join(out)

def write(root, cpus):
    shutil.rmtree(root, ignore_errors=True)
    for c in cpus:
        d = os.path.join(root, "cpu%d" % c["id"])
        t = os.path.join(d, "topology"); os.makedirs(t)
        for k, v in (("physical_package_id", c["pkg"]), ("die_id", c["die"]), ("core_id", c["core"]),
                     ("thread_siblings_list", cpulist(c["sib"]))):
            open(os.path.join(t, k), "w").write("%s\n" % v)
        for i, (level, typ, shared) in enumerate(c["caches"]):
            x = os.path.join(d, "cache", "index%d" % i); os.makedirs(x)
            open(os.path.join(x, "level"), "w").write("%d\n" % level)
            open(os.path.join(x, "type"), "w").write(typ + "\n")
            open(os.path.join(x, "shared_cpu_list"), "w").write(cpulist(shared) + "\n")
        os.makedirs(os.path.join(d, "node%d" % c["node"]))
        open(os.path.join(d, "node%d" % c["node"], ".keep"), "w").write("")

def intel2s():
    # 2 sockets x 4 cores x 2 threads, Intel enumeration: cpu0-3 socket 0,
    # cpu4-7 socket 1, cpu8-15 their siblings (cpuN and cpuN+8 share a core).
    # One LLC (L3) per socket, one NUMA node per socket.
    cpus = []
    for cid in range(16):
        first = cid % 8; pkg = first // 4; core = first % 4
        sib = [first, first + 8]
        sock = [x for x in range(16) if (x % 8) // 4 == pkg]
        cpus.append(dict(id=cid, pkg=pkg, die=0, core=core, sib=sib, node=pkg,
                         caches=[(1, "Data", sib), (1, "Instruction", sib), (2, "Unified", sib), (3, "Unified", sock)]))
    return cpus

def epyc():
    # 2 sockets x 8 CCXs x 2 cores x 2 threads (a chiplet EPYC, NPS1): cpu0-15
    # socket 0, cpu16-31 socket 1, cpu32-63 their siblings (cpuN, cpuN+32).
    # Each CCX has its own L3: 8 LLCs per socket. One node per socket.
    cpus = []
    for cid in range(64):
        first = cid % 32; pkg = first // 16; core = first % 16; ccx = core // 2
        sib = [first, first + 32]
        l3 = [pkg*16 + ccx*2 + k + t for k in (0, 1) for t in (0, 32)]
        cpus.append(dict(id=cid, pkg=pkg, die=0, core=core, sib=sib, node=pkg,
                         caches=[(1, "Data", sib), (1, "Instruction", sib), (2, "Unified", sib), (3, "Unified", l3)]))
    return cpus

def hybrid():
    # A hybrid laptop (4 P-cores with SMT, 8 E-cores without): cpu0-7 are the
    # P-cores' threads, siblings adjacent (0-1, 2-3, ...), cpu8-15 E-cores in
    # two clusters of 4 sharing an L2. One L3 for all, one node.
    cpus = []
    for cid in range(16):
        if cid < 8:
            sib = [cid & ~1, (cid & ~1) + 1]; core = (cid // 2) * 4; l2 = sib
        else:
            sib = [cid]; core = 16 + (cid - 8); l2 = list(range(8 + (cid - 8) // 4 * 4, 12 + (cid - 8) // 4 * 4))
        cpus.append(dict(id=cid, pkg=0, die=0, core=core, sib=sib, node=0,
                         caches=[(1, "Data", sib), (1, "Instruction", sib), (2, "Unified", l2), (3, "Unified", list(range(16)))]))
    return cpus

def container():
    # The host a container runs on: one socket, 4 cores x 2 threads (cpuN,
    # cpuN+4), one L3, one node. The container's cpuset (cpuset.cpus.effective)
    # allows 2-3,6: two cores, and one sibling pair among them (2 and 6).
    cpus = []
    for cid in range(8):
        first = cid % 4; sib = [first, first + 4]
        cpus.append(dict(id=cid, pkg=0, die=0, core=first, sib=sib, node=0,
                         caches=[(1, "Data", sib), (2, "Unified", sib), (3, "Unified", list(range(8)))]))
    return cpus

for name, cpus in (("intel2s", intel2s()), ("epyc", epyc()), ("hybrid", hybrid()), ("container", container())):
    write(os.path.join(name, "cpu"), cpus)
open(os.path.join("container", "cpuset.cpus.effective"), "w").write("2-3,6\n")
