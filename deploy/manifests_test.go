// Package deploy_test checks the Kubernetes manifests beside it against the
// Kubernetes API's own Go types (k8s.io/api): every document must decode
// strictly (an unknown or misspelt field, a wrong type or a malformed
// quantity fails), and the parts that must agree do (selectors and labels,
// probe and service ports, the GPU request, the benchmark's volume).
//
// Why not kubeconform: it fetches its JSON schemas from the network at run
// time, which CI cannot reach; k8s.io/api is a Go module like any other.
package deploy_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// objects decodes every manifest of the folder strictly into its type.
func objects(t *testing.T) []any {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []any
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var tm metav1.TypeMeta
			require.NoError(t, yaml.Unmarshal(doc, &tm), "%s document %d", f, i)
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 Deployment":
				obj = &appsv1.Deployment{}
			case "v1 Service":
				obj = &corev1.Service{}
			case "batch/v1 Job":
				obj = &batchv1.Job{}
			case "v1 PersistentVolumeClaim":
				obj = &corev1.PersistentVolumeClaim{}
			default:
				t.Fatalf("%s document %d: unexpected %s %s", f, i, tm.APIVersion, tm.Kind)
			}
			require.NoError(t, yaml.UnmarshalStrict(doc, obj), "%s document %d (%s)", f, i, tm.Kind)
			out = append(out, obj)
		}
	}
	return out
}

func TestManifestsDecodeStrictly(t *testing.T) {
	objects(t)
}

func TestServeDeploymentServiceAndJobAgree(t *testing.T) {
	var (
		dep  *appsv1.Deployment
		svcs []*corev1.Service
		job  *batchv1.Job
		pvcs = map[string]bool{}
	)
	for _, o := range objects(t) {
		switch v := o.(type) {
		case *appsv1.Deployment:
			dep = v
		case *corev1.Service:
			svcs = append(svcs, v)
		case *batchv1.Job:
			job = v
		case *corev1.PersistentVolumeClaim:
			pvcs[v.Name] = true
		}
	}
	require.NotNil(t, dep)
	require.NotNil(t, job)
	require.NotEmpty(t, svcs)

	pod := dep.Spec.Template
	for k, v := range dep.Spec.Selector.MatchLabels {
		assert.Equal(t, v, pod.Labels[k], "the selector matches the pod labels")
	}
	require.Len(t, pod.Spec.Containers, 1)
	c := pod.Spec.Containers[0]
	assert.Equal(t, "serve", c.Args[0])
	gpu := c.Resources.Limits[corev1.ResourceName("nvidia.com/gpu")]
	assert.Equal(t, int64(1), gpu.Value(), "each replica takes one GPU")
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	assert.Equal(t, map[string]int32{"http": 8000, "grpc": 8001, "metrics": 8002}, ports, "Triton's ports")
	for _, a := range []string{"--http=0.0.0.0:8000", "--grpc=0.0.0.0:8001", "--metrics=0.0.0.0:8002"} {
		assert.Contains(t, c.Args, a, "in a pod the server listens beyond loopback")
	}
	require.NotNil(t, c.ReadinessProbe)
	require.NotNil(t, c.LivenessProbe)
	assert.Equal(t, "/v2/health/ready", c.ReadinessProbe.HTTPGet.Path)
	assert.Equal(t, "/v2/health/live", c.LivenessProbe.HTTPGet.Path)
	for _, p := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		_, ok := ports[p.HTTPGet.Port.String()]
		assert.True(t, ok, "probe port %s is a container port", p.HTTPGet.Port.String())
	}

	var headless string
	hasMetrics := false
	for _, s := range svcs {
		for k, v := range s.Spec.Selector {
			assert.Equal(t, v, pod.Labels[k], "service %s selects the serve pods", s.Name)
		}
		for _, p := range s.Spec.Ports {
			_, ok := ports[p.TargetPort.String()]
			assert.True(t, ok, "service %s port %s targets a container port", s.Name, p.Name)
			hasMetrics = hasMetrics || p.Name == "metrics"
		}
		if s.Spec.ClusterIP == corev1.ClusterIPNone {
			headless = s.Name
		}
	}
	assert.True(t, hasMetrics, "a service exposes the metrics port")
	require.NotEmpty(t, headless, "a headless service lets the client reach every pod")

	js := job.Spec.Template.Spec
	require.Len(t, js.Containers, 1)
	jc := js.Containers[0]
	assert.Equal(t, "run", jc.Args[0])
	var sutArg, outArg string
	for _, a := range jc.Args {
		if v, ok := strings.CutPrefix(a, "--sut="); ok {
			sutArg = v
		}
		if v, ok := strings.CutPrefix(a, "--out="); ok {
			outArg = v
		}
	}
	assert.True(t, strings.HasPrefix(sutArg, "kserve://"+headless+"."), "the job drives the serve pods: %s", sutArg)
	mounted := false
	for _, m := range jc.VolumeMounts {
		if strings.HasPrefix(outArg, m.MountPath+"/") {
			for _, v := range js.Volumes {
				if v.Name == m.Name && v.PersistentVolumeClaim != nil {
					mounted = pvcs[v.PersistentVolumeClaim.ClaimName]
				}
			}
		}
	}
	assert.True(t, mounted, "--out %s is on a volume of a claim defined here, so the results stay", outArg)
	assert.Equal(t, corev1.RestartPolicyNever, js.RestartPolicy)
}
