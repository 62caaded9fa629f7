// Package callflows is the 8x8 Voice Callflows wire contract: the actions a
// callflow is made of (makeCall, say, sayAndCapture, playFile, hangup), the
// response envelope a Voice Call Action (VCA) webhook is answered with, and
// the VCA and Voice Session Summary (VSS) webhook payloads.
//
// JSON names are exactly as 8x8 spells them. Our own output is encoded
// strictly from typed values; webhooks from 8x8 are decoded leniently,
// because 8x8 adds fields and has been seen to move them (the captured
// digits arrive in three different places).
package callflows
