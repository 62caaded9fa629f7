package callstate_test

import (
	"errors"
	"fmt"

	"github.com/ivrctl/ivrctl/engine/callstate"
)

func Example() {
	// IVRCTL_STATE_KEY: the newest key first; the second is still accepted.
	keys, err := callstate.ParseKeys("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=, ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")
	if err != nil {
		fmt.Println(err)
		return
	}

	// A state with nothing but a node is the bare node ID.
	id, _ := keys.Encode(callstate.State{Node: "main_menu"})
	fmt.Println(id)

	// Anything else follows the node ID, signed.
	s := callstate.State{
		Node:    "reservations",
		NoInput: 1,
		Back:    []string{"main_menu"},
		Lang:    "fr-CA",
		Vars:    []callstate.Var{{Name: "pin", Value: "1234", Sensitive: true}},
	}
	id, _ = keys.Encode(s)
	fmt.Println(id[:len("reservations.")], len(id) == callstate.Size(s))

	back, err := keys.Decode(id)
	fmt.Println(back.Node, back.NoInput, back.Back, back.Lang, back.Vars[0].Value, err)

	// A cut state says so.
	_, err = keys.Decode(id[:len(id)-3])
	fmt.Println(errors.Is(err, callstate.ErrTruncated), err)
	// Output:
	// main_menu
	// reservations. true
	// reservations 1 [main_menu] fr-CA 1234 <nil>
	// true callstate: state truncated
}
