package simkernel

import "github.com/clonebench/clonebench/rawclone"

// The model speaks rawclone.Flags, so a flag word, a row name's flags= and
// an error message mean the same here as in the real clone(2).

// CloneClearSighand is clone3's CLONE_CLEAR_SIGHAND (include/uapi/linux/
// sched.h), which rawclone leaves out because only clone3 can pass it. The
// model keeps it for the one rule of clone3_args_valid that involves it
// (ErrClearSighand); CLONE_INTO_CGROUP is not modelled, since the model has
// no cgroups for its argument to name, and is refused as unknown.
const CloneClearSighand rawclone.Flags = 0x100000000

// legacyFlags are the 24 bits of clone(2) above the exit signal, every one
// of which rawclone names.
const legacyFlags = rawclone.CloneVM | rawclone.CloneFS | rawclone.CloneFiles | rawclone.CloneSighand |
	rawclone.ClonePidfd | rawclone.ClonePtrace | rawclone.CloneVfork | rawclone.CloneParent |
	rawclone.CloneThread | rawclone.CloneNewNS | rawclone.CloneSysVSem | rawclone.CloneSetTLS |
	rawclone.CloneParentSetTID | rawclone.CloneChildClearTID | rawclone.CloneDetached | rawclone.CloneUntraced |
	rawclone.CloneChildSetTID | rawclone.CloneNewCgroup | rawclone.CloneNewUTS | rawclone.CloneNewIPC |
	rawclone.CloneNewUser | rawclone.CloneNewPID | rawclone.CloneNewNet | rawclone.CloneIO

// knownFlags is every bit Clone understands; the rest is refused, as the
// kernel refuses bits it does not know.
const knownFlags = rawclone.SignalMask | legacyFlags | CloneClearSighand

// namespaceFlags need CAP_SYS_ADMIN; CLONE_NEWUSER does not, which is why
// unprivileged containers start with it.
const namespaceFlags = rawclone.CloneNewNS | rawclone.CloneNewCgroup | rawclone.CloneNewUTS |
	rawclone.CloneNewIPC | rawclone.CloneNewPID | rawclone.CloneNewNet

// flagBits are the single bits of knownFlags above the exit signal, in bit
// order: the order Flags.String prints them, so costs charged in this
// order are charged deterministically.
var flagBits = bits(legacyFlags | CloneClearSighand)

// bits splits f's known flag bits (not its exit signal) in bit order.
func bits(f rawclone.Flags) []rawclone.Flags {
	f &= knownFlags &^ rawclone.SignalMask
	var out []rawclone.Flags
	for b := rawclone.Flags(1); b != 0; b <<= 1 {
		if f&b != 0 {
			out = append(out, b)
		}
	}
	return out
}

// flagName is one flag bit's name as Profile.FlagCost keys it: the name
// rawclone.Flags.String prints, and "CLEAR_SIGHAND" for the clone3 bit
// rawclone has no name for.
func flagName(bit rawclone.Flags) string {
	if bit == CloneClearSighand {
		return "CLEAR_SIGHAND"
	}
	return bit.String()
}
