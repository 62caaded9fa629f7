package server

import "time"

// SetRefusedLogLimit sets how many lines of refused requests s logs an
// interval, so that a test need not outrun the default.
func (s *Server) SetRefusedLogLimit(burst int, interval time.Duration) {
	s.refused = newLogLimiter(s.log, burst, interval)
}
