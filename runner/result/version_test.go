package result

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBuildInfoPrefersTheStamp(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}, {Key: "-tags", Value: "cuda,tensorrt"},
	}}
	b := buildInfo("v1.2.3", "feedface", bi)
	assert.Equal(t, "v1.2.3", b.Version)
	assert.Equal(t, "feedface", b.Commit)
	assert.False(t, b.Modified, "a stamped commit is what was built")
	assert.Equal(t, "cuda,tensorrt", b.Tags)
}

func TestBuildInfoFallsBackOnTheToolchain(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"},
	}}
	b := buildInfo("", "", bi)
	assert.Equal(t, "devel", b.Version)
	assert.Equal(t, "0123456789abcdef", b.Commit)
	assert.True(t, b.Modified)

	b = buildInfo("", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"}})
	assert.Equal(t, "v1.0.0", b.Version, "go install module@v1.0.0")
	assert.Equal(t, "devel", buildInfo("", "", nil).Version)
}
