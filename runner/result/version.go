package result

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit identify the gotrt build. Builds stamp them with
//
//	-ldflags "-X github.com/gotrt/gotrt/runner/result.Version=v1.2.3 -X github.com/gotrt/gotrt/runner/result.Commit=$(git rev-parse HEAD)"
//
// as the Makefile and the Dockerfile do. Left empty, [BuildInfo] falls back
// on what the Go toolchain recorded: the module version (go install
// module@version) and the VCS revision (a build inside a git checkout).
var (
	Version = ""
	Commit  = ""
)

// Build describes the running gotrt binary.
type Build struct {
	// Version is the stamped version, else the module version, else
	// "devel".
	Version string `json:"version"`
	// Commit is the stamped commit, else vcs.revision; empty when unknown.
	Commit string `json:"commit,omitempty"`
	// Modified is true when the toolchain saw uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// Tags are the build tags, e.g. "cuda,tensorrt".
	Tags      string `json:"tags,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// BuildInfo returns the build's identity.
func BuildInfo() Build {
	bi, _ := debug.ReadBuildInfo()
	return buildInfo(Version, Commit, bi)
}

func buildInfo(version, commit string, bi *debug.BuildInfo) Build {
	b := Build{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true" && commit == ""
			case "-tags":
				b.Tags = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	return b
}

// gotrtVersion is the version result.json records: the version, with the
// commit's first 12 digits for a development build.
func gotrtVersion() string {
	b := BuildInfo()
	if b.Version == "devel" && len(b.Commit) >= 12 {
		return "devel-" + b.Commit[:12]
	}
	return b.Version
}
