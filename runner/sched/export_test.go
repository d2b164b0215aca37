package sched

import (
	"os"
	"strconv"
)

func init() {
	if v, err := strconv.ParseFloat(os.Getenv("GOTRT_TUNE_FILL"), 64); err == nil {
		tuneFill = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("GOTRT_TUNE_FLOOR"), 64); err == nil {
		tuneFloor = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("GOTRT_TUNE_BACKLOG"), 64); err == nil {
		tuneBacklog = v
	}
	if os.Getenv("GOTRT_TUNE_AGE") != "" {
		tuneAge = true
	}
	if os.Getenv("GOTRT_TUNE_NOSPLIT") != "" {
		tuneSplit = false
	}
}
