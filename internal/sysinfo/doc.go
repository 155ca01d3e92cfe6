// Package sysinfo gathers the machine facts clonebench writes as config
// lines at the head of every result file, so that runs from different
// machines (or kernels, or virtualisation layers) are never compared as if
// they were the same.
//
// Facts are read from the usual Linux places — uname, /proc/cpuinfo,
// /sys/devices/system/cpu, /sys/kernel/mm/transparent_hugepage,
// systemd-detect-virt — in sysinfo_linux.go. On other systems the
// Linux-only readers return errors wrapping errors.ErrUnsupported and the
// fact is written as "unknown".
package sysinfo
