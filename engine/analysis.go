package engine

// DeadSpots returns the flow's nodes, in file order, that lint warns about
// as the shape of the menu goes: those no caller can reach from the start
// (or from the fallback, where any caller can be sent), and those from
// which no say node, and so no ending, can be reached. Tools that compare
// or draw flows read them here rather than walk the edges again.
func (f *Flow) DeadSpots() (unreachable, noExit []*Node) {
	if f.start == nil {
		return nil, nil
	}
	u, x := newGraph(f).deadSpots(f)
	for i, n := range f.order {
		if u[i] {
			unreachable = append(unreachable, n)
		}
		if x[i] {
			noExit = append(noExit, n)
		}
	}
	return unreachable, noExit
}
