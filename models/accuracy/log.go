// Package accuracy reads mlperf_log_accuracy.json and scores it, as MLPerf's
// accuracy scripts do.
package accuracy

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

// Record is one entry of mlperf_log_accuracy.json: the sample's QSL index and
// the raw response bytes the SUT returned for it.
type Record struct {
	SeqID  uint64
	QSLIdx int
	Data   []byte
}

type rawRecord struct {
	SeqID  uint64 `json:"seq_id"`
	QSLIdx int    `json:"qsl_idx"`
	Data   string `json:"data"`
}

// ReadLog reads an accuracy log in file order. Malformed JSON or hex is an
// error naming the file and the entry.
func ReadLog(path string) ([]Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read accuracy log: %w", err)
	}
	var raw []rawRecord
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("accuracy log %s: %w", path, err)
	}
	out := make([]Record, len(raw))
	for i, r := range raw {
		d, err := hex.DecodeString(r.Data)
		if err != nil {
			return nil, fmt.Errorf("accuracy log %s: entry %d (qsl_idx %d): bad hex data: %w", path, i, r.QSLIdx, err)
		}
		out[i] = Record{SeqID: r.SeqID, QSLIdx: r.QSLIdx, Data: d}
	}
	return out, nil
}
