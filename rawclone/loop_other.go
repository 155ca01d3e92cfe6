//go:build !(linux && (amd64 || arm64))

package rawclone

// Loop returns an error wrapping errors.ErrUnsupported.
func (cl *Cloner) Loop(flags Flags, n int, opt Options) (LoopResult, error) {
	return LoopResult{}, errUnsupported
}

// MinimalForkLoop returns an error wrapping errors.ErrUnsupported.
func (cl *Cloner) MinimalForkLoop(n int) (LoopResult, Footprint, error) {
	return LoopResult{}, Footprint{}, errUnsupported
}

// Pin returns an error wrapping errors.ErrUnsupported.
func (cl *Cloner) Pin(cpu int) (restore func() error, err error) {
	return nil, errUnsupported
}

// Loop3 returns an error wrapping errors.ErrUnsupported.
func (cl *Cloner) Loop3(c Clone3, n int) (LoopResult, error) {
	return LoopResult{}, errUnsupported
}

// LoopFrom returns an error wrapping errors.ErrUnsupported.
func (cl *Cloner) LoopFrom(st *Start, flags Flags, n int, opt Options) (LoopResult, error) {
	return LoopResult{}, errUnsupported
}
