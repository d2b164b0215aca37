// Package loadgen is gotrt's load generator: MLPerf LoadGen's scenarios, test
// modes, settings, schedules, statistics, validity rules and log files, in Go.
package loadgen
