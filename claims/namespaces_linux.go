//go:build linux

package claims

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/clonebench/clonebench/internal/procfs"
	"github.com/clonebench/clonebench/rawclone"
)

// nsVerifyFlags asks for every namespace at once beside two sharing flags
// those namespace flags allow: VM and FILES (FS is EINVAL with NEWNS and
// NEWUSER, SYSVSEM with NEWIPC, THREAD with NEWPID and NEWUSER).
const nsVerifyFlags = rawclone.CloneVM | rawclone.CloneFiles |
	rawclone.CloneNewUTS | rawclone.CloneNewIPC | rawclone.CloneNewNS | rawclone.CloneNewPID |
	rawclone.CloneNewNet | rawclone.CloneNewUser | rawclone.CloneNewCgroup | rawclone.SIGCHLD

var nsKinds = []string{"uts", "ipc", "mnt", "pid", "net", "user", "cgroup"}

func init() {
	flagChecks = append(flagChecks, flagCheck{
		text: "CLONE_NEW* gives the child namespaces of its own (/proc/CHILD/ns/* differ from ours) while it still shares what VM and FILES share (kcmp)",
		with: nsVerifyFlags, wo: nsVerifyFlags &^ (rawclone.CloneNewUTS | rawclone.CloneNewIPC | rawclone.CloneNewNS |
			rawclone.CloneNewPID | rawclone.CloneNewNet | rawclone.CloneNewUser | rawclone.CloneNewCgroup),
		resource: "ns", sharedCheck: ownNamespacesSharedRest,
	})
}

// ownNamespacesSharedRest: true if the child is in a namespace of its own
// of every kind and shares our mm and fd table.
func ownNamespacesSharedRest(child int) (bool, string, error) {
	var own, same []string
	for _, k := range nsKinds {
		var a, b unix.Stat_t
		if err := unix.Stat("/proc/thread-self/ns/"+k, &a); err != nil {
			return false, "", err
		}
		if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", child, k), &b); err != nil {
			return false, "", err
		}
		if a.Ino != b.Ino {
			own = append(own, k)
		} else {
			same = append(same, k)
		}
	}
	shares := true
	var kinds []string
	for _, c := range []struct {
		typ  int
		name string
	}{{procfs.KcmpVM, "mm"}, {procfs.KcmpFiles, "files"}} {
		s, err := procfs.Kcmp(os.Getpid(), child, c.typ)
		if err != nil {
			return false, "", err
		}
		if s {
			kinds = append(kinds, c.name)
		}
		shares = shares && s
	}
	return len(same) == 0 && shares, fmt.Sprintf("own ns [%s], ours [%s], shares [%s]",
		strings.Join(own, " "), strings.Join(same, " "), strings.Join(kinds, " ")), nil
}
