package serve

import (
	"errors"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// acceptBacklog accepts, without blocking, every connection the kernel
// holds in l's backlog: connections whose handshake is done (their client
// may have sent its request) but that no Accept took yet. Closing l would
// reset them. It stops at the first empty poll; what it accepted is
// returned even beside an error.
func acceptBacklog(l *net.TCPListener) ([]net.Conn, error) {
	rc, err := l.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fds []int
	var aerr error
	cerr := rc.Control(func(fd uintptr) {
		for {
			nfd, _, err := unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			switch {
			case err == nil:
				fds = append(fds, nfd)
			case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
				// a signal, or a client that gave up: try the next
			case errors.Is(err, unix.EAGAIN):
				return // the backlog is empty
			default:
				aerr = err // e.g. EMFILE: the rest are lost to the close
				return
			}
		}
	})
	conns := make([]net.Conn, 0, len(fds))
	for _, fd := range fds {
		f := os.NewFile(uintptr(fd), "drained")
		c, err := net.FileConn(f) // a dup: f is closed either way
		_ = f.Close()
		if err != nil {
			aerr = errors.Join(aerr, err)
			continue
		}
		conns = append(conns, c)
	}
	return conns, errors.Join(cerr, aerr)
}
