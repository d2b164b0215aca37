//go:build !linux

package serve

import "net"

// acceptBacklog takes nothing off the backlog outside Linux: the close
// that follows resets connections no Accept took yet, as before.
func acceptBacklog(*net.TCPListener) ([]net.Conn, error) { return nil, nil }
