// Package topology reads where the CPUs this process may use sit relative
// to each other — SMT siblings, cores, last-level caches, NUMA nodes — and
// picks the CPU pair for each switch placement (cpu=same, cross, smt, llc,
// xllc, xnode).
//
// It reads /sys/devices/system/cpu (cpuN/topology/thread_siblings_list,
// core_id, physical_package_id, die_id; cpuN/cache/indexK/level, type and
// shared_cpu_list, the highest level being the LLC; the cpuN/nodeM link for
// the NUMA node) and only ever places tasks on CPUs of the allowed set,
// which on Linux is sched_getaffinity's mask: a cgroup cpuset or a taskset
// narrows it, and the list of online CPUs is never used instead. Read takes
// the sysfs root and the allowed set as arguments so that tests run on
// fixture trees (testdata/*) of machines this one is not: a 2-socket SMT
// server, a chiplet EPYC, a hybrid laptop and a cgroup-restricted
// container.
//
// A placement the machine cannot give (no SMT, one LLC, one node, a mask
// of one CPU) is an error naming the reason; workloads turns it into a
// skip.
package topology
