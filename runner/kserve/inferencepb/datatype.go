package inferencepb

// This file is written by hand, beside the generated code: what client and
// server both need to know of the protocol's datatypes.

// DatatypeSize is the byte size of one element of a fixed-size protocol
// datatype ("UINT8", "FP32", ...), 0 for BYTES or an unknown name.
func DatatypeSize(dt string) int {
	switch dt {
	case "BOOL", "UINT8", "INT8":
		return 1
	case "UINT16", "INT16", "FP16", "BF16":
		return 2
	case "UINT32", "INT32", "FP32":
		return 4
	case "UINT64", "INT64", "FP64":
		return 8
	}
	return 0
}
