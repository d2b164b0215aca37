package loadgen

// issueMultiStream sends queries of samples_per_query contiguous samples of
// the loaded set, each when the previous one has completed. A query's
// latency is that of its slowest sample, from the query's issue.
func (t *trial) issueMultiStream(accuracy bool) {
	t.issueStreams(accuracy)
}
