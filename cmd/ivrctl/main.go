// Command ivrctl checks, serves and places calls with declarative IVR
// flows for the 8x8 Voice Callflows API.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}
