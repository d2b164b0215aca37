package mlperflog_test

import (
	"fmt"
	"strings"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// DecodeLog streams the entries of an accuracy log, one at a time.
func ExampleDecodeLog() {
	log := `[{"seq_id": 0, "qsl_idx": 7, "data": "0A0B"}, {"seq_id": 1, "qsl_idx": 3, "data": "ff"}]`
	err := mlperflog.DecodeLog("example", strings.NewReader(log), func(entry int, r mlperflog.Record) error {
		fmt.Println(entry, r.QSLIdx, r.Data)
		return nil
	})
	fmt.Println(err)
	// Output:
	// 0 7 [10 11]
	// 1 3 [255]
	// <nil>
}
