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
		if n.kind == KindSay {
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

// dialCycles returns the cycles of dial nodes linked by then, each
// starting at the node the file lists first. A dial node has one then, so
// following it from each node in turn finds every cycle with each node
// walked once.
func (g *graph) dialCycles() [][]int {
	const (
		unseen = iota
		walking
		done
	)
	state := make([]int, len(g.nodes))
	var cycles [][]int
	next := func(i int) int {
		n := g.nodes[i]
		if n.kind != KindDial || n.then == nil || n.then.kind != KindDial {
			return -1
		}
		j, ok := g.index[n.then]
		if !ok {
			return -1
		}
		return j
	}
	var path []int
	for i := range g.nodes {
		if state[i] != unseen || g.nodes[i].kind != KindDial {
			continue
		}
		path = path[:0]
		j := i
		for j >= 0 && state[j] == unseen {
			state[j] = walking
			path = append(path, j)
			j = next(j)
		}
		if j >= 0 && state[j] == walking {
			// The cycle is the end of path from j on.
			k := len(path) - 1
			for path[k] != j {
				k--
			}
			cycle := path[k:]
			first := 0
			for m, v := range cycle {
				if v < cycle[first] {
					first = m
				}
			}
			cycles = append(cycles, append(slices.Clone(cycle[first:]), cycle[:first]...))
		}
		for _, v := range path {
			state[v] = done
		}
	}
	return cycles
}
