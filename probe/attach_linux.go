//go:build linux

package probe

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
)

// attachment is what every session holds: one array map of u64 slots
// (the record its programs share) and the raw tracepoint programs and
// links that write it.
type attachment struct {
	rec   *ebpf.Map
	slots int
	progs []*ebpf.Program
	links []link.Link
}

// rawTP is one program and the raw tracepoint it attaches to.
type rawTP struct {
	name, tp string
	insns    asm.Instructions
}

// attach creates the record (named name, of slots u64s, seeded with seed),
// then loads and attaches the programs progs builds over its FD, in that
// order. On error nothing stays loaded.
func attach(name string, slots int, seed map[int]uint64, progs func(recFD int) []rawTP) (_ *attachment, err error) {
	rec, err := ebpf.NewMap(&ebpf.MapSpec{
		Name: Prefix + name, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(8 * slots), MaxEntries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("probe: create map: %w", err)
	}
	a := &attachment{rec: rec, slots: slots}
	defer func() {
		if err != nil {
			err = errors.Join(err, a.Close())
		}
	}()
	val := make([]byte, 8*slots)
	for slot, v := range seed {
		binary.NativeEndian.PutUint64(val[8*slot:], v)
	}
	if err := rec.Put(uint32(0), val); err != nil {
		return nil, fmt.Errorf("probe: seed map: %w", err)
	}
	for _, p := range progs(rec.FD()) {
		prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
			Name: p.name, Type: ebpf.RawTracepoint, License: "GPL", Instructions: p.insns,
		}, ebpf.ProgramOptions{})
		if err != nil {
			return nil, fmt.Errorf("probe: load %s: %w", p.name, err)
		}
		a.progs = append(a.progs, prog)
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: p.tp, Program: prog})
		if err != nil {
			return nil, fmt.Errorf("probe: attach %s to raw tracepoint %s: %w", p.name, p.tp, err)
		}
		a.links = append(a.links, l)
	}
	return a, nil
}

// read returns the record's slots as a lookup function.
func (a *attachment) read() (func(slot int) int64, error) {
	val := make([]byte, 8*a.slots)
	if err := a.rec.Lookup(uint32(0), &val); err != nil {
		return nil, fmt.Errorf("probe: read map: %w", err)
	}
	return func(slot int) int64 { return int64(binary.NativeEndian.Uint64(val[8*slot:])) }, nil
}

// stop detaches the programs first, so the record holds still, hands it
// to use, and frees everything.
func (a *attachment) stop(use func(u func(slot int) int64)) error {
	var errs []error
	for _, l := range a.links {
		errs = append(errs, l.Close())
	}
	a.links = nil
	if u, err := a.read(); err != nil {
		errs = append(errs, err)
	} else {
		use(u)
	}
	errs = append(errs, a.Close())
	return errors.Join(errs...)
}

// Close detaches and frees everything; safe to call twice.
func (a *attachment) Close() error {
	var errs []error
	for _, l := range a.links {
		errs = append(errs, l.Close())
	}
	a.links = nil
	for _, p := range a.progs {
		errs = append(errs, p.Close())
	}
	a.progs = nil
	if a.rec != nil {
		errs = append(errs, a.rec.Close())
		a.rec = nil
	}
	return errors.Join(errs...)
}

// IDs are the kernel's IDs of the programs, so a caller can check that
// exactly these are gone after Stop while other sessions run.
func (a *attachment) IDs() []uint32 {
	var out []uint32
	for _, p := range a.progs {
		if info, err := p.Info(); err == nil {
			if id, ok := info.ID(); ok {
				out = append(out, uint32(id))
			}
		}
	}
	return out
}

// lookupRecord loads the record (the map's one entry) into R6, saving the
// context in R9; it jumps to "out" if the map has no entry. Every program
// of both sessions starts with it.
func lookupRecord(mapFD int) asm.Instructions {
	return asm.Instructions{
		asm.Mov.Reg(asm.R9, asm.R1),
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, mapFD),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Reg(asm.R6, asm.R0),
	}
}
