package engine

import "slices"

// graph is a flow's nodes as indexes, in file order, with the edges a
// caller can follow: keys, on_invalid, on_no_input and then. The fallback
// is the node after the file's nodes when it is the built-in one.
type graph struct {
	nodes []*Node
	index map[*Node]int
	out   [][]int
}

func newGraph(flow *Flow) *graph {
	g := &graph{nodes: flow.order, index: make(map[*Node]int, len(flow.order)+1)}
	for i, n := range flow.order {
		g.index[n] = i
	}
	if _, ok := g.index[flow.fallback]; !ok && flow.fallback != nil {
		g.index[flow.fallback] = len(g.nodes)
		g.nodes = append(g.nodes[:len(g.nodes):len(g.nodes)], flow.fallback)
	}
	g.out = make([][]int, len(g.nodes))
	for i, n := range g.nodes {
		for _, e := range n.edges {
			if j, ok := g.index[e.To]; ok {
				g.out[i] = append(g.out[i], j)
			}
		}
	}
	return g
}

// reach marks every node reachable from roots along edges (out, or the
// reversed in), iteratively so that a long chain cannot overflow a stack.
func reach(edges [][]int, roots []int) []bool {
	seen := make([]bool, len(edges))
	stack := make([]int, 0, len(roots))
	for _, r := range roots {
		if !seen[r] {
			seen[r] = true
			stack = append(stack, r)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range edges[i] {
			if !seen[j] {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	return seen
}

// deadSpots reports, by index in flow.order, the nodes no caller can reach
// from the start (or the fallback, where any caller can be sent), and the
// nodes from which no say node, and so no ending, can be reached.
func (g *graph) deadSpots(flow *Flow) (unreachable, noExit []bool) {
	roots := []int{g.index[flow.start]}
	if i, ok := g.index[flow.fallback]; ok {
		roots = append(roots, i)
	}
	reached := reach(g.out, roots)
	in := make([][]int, len(g.nodes))
	var says []int
	for i, n := range g.nodes {
		for _, j := range g.out[i] {
			in[j] = append(in[j], i)
		}
		if n.ends() {
			says = append(says, i)
		}
	}
	exits := reach(in, says)
	unreachable = make([]bool, len(flow.order))
	noExit = make([]bool, len(flow.order))
	for i := range flow.order {
		unreachable[i], noExit[i] = !reached[i], !exits[i]
	}
	return unreachable, noExit
}

// silentCycles returns the loops of nodes that never ask the caller
// anything (dials, messages that continue, ...): strongly connected sets
// of such nodes, each in file order, found with Tarjan's algorithm,
// iteratively so that a long chain cannot overflow a stack.
func (g *graph) silentCycles() [][]int {
	silent := func(i int) bool { return g.nodes[i].menu == nil }
	n := len(g.nodes)
	index, low := make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack, cycles [][]int
	var scc []int
	next := 0
	type frame struct{ v, e int }
	for root := range g.nodes {
		if index[root] >= 0 || !silent(root) {
			continue
		}
		work := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		scc = append(scc, root)
		onStack[root] = true
		for len(work) > 0 {
			f := &work[len(work)-1]
			if f.e < len(g.out[f.v]) {
				w := g.out[f.v][f.e]
				f.e++
				if !silent(w) {
					continue
				}
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					scc = append(scc, w)
					onStack[w] = true
					work = append(work, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			work = work[:len(work)-1]
			if len(work) > 0 {
				u := work[len(work)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			k := len(scc) - 1
			for scc[k] != v {
				k--
			}
			comp := slices.Clone(scc[k:])
			scc = scc[:k]
			for _, w := range comp {
				onStack[w] = false
			}
			if len(comp) > 1 || slices.Contains(g.out[v], v) {
				stack = append(stack, g.walk(comp))
			}
		}
	}
	cycles = stack
	slices.SortFunc(cycles, func(a, b []int) int { return a[0] - b[0] })
	return cycles
}

// walk orders the loop comp as a caller goes round it: from its node the
// file lists first, along the first edge to a node of comp not yet walked.
func (g *graph) walk(comp []int) []int {
	in := make(map[int]bool, len(comp))
	for _, v := range comp {
		in[v] = true
	}
	v := slices.Min(comp)
	path := []int{v}
	delete(in, v)
	for len(in) > 0 {
		next := -1
		for _, w := range g.out[v] {
			if in[w] {
				next = w
				break
			}
		}
		if next < 0 {
			break // the rest is reached from an earlier node; the start names the loop
		}
		v = next
		path = append(path, v)
		delete(in, v)
	}
	return path
}
