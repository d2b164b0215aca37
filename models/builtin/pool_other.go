//go:build !amd64 || purego

package builtin

var useSIMD = false

func poolRequantRow(top, bot *int32, c, n int, mult, qbias *float32, out *uint8) {
	panic("unreachable")
}

func poolBiasReLURow(top, bot *float32, c, n int, bias *float32, out *float32) {
	panic("unreachable")
}
