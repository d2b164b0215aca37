package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/result"
)

func init() {
	rootCmd.AddCommand(newDevicesCmd(func() (*cuda.Inventory, error) { return cuda.Discover(nvml.New()) }, runner.GPUUsable))
}

// newDevicesCmd builds `gotrt devices` over a discovery function (the real
// NVML in the binary, a mock in tests) and the check whether the built-in
// model can use a GPU in this process.
func newDevicesCmd(discover func() (*cuda.Inventory, error), gpuUsable func() error) *cobra.Command {
	var asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List the GPUs, vGPUs and MIG instances this process can use (or the CPU)",
		Long: `devices lists what gotrt would run on: every GPU, vGPU and MIG instance
that NVML reports and CUDA_VISIBLE_DEVICES lets through, in CUDA ordinal order;
or the CPU alone, with the reason on stderr, when there is no NVML library or
no GPU. The INDEX column is what --devices takes (as do GPU-/MIG- UUIDs).
When GPUs are listed but this gotrt cannot run the built-in model on them (a
build without -tags cuda, or no usable CUDA device), stderr says why. A
-tags cuda,tensorrt build adds one stderr line: the TensorRT library it
loads (version and file), or why none loads.
With --json, stdout holds the JSON array of devices and nothing else.`,
		Args: noArgs("devices"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := parseFormat(format, asJSON, formatText, formatJSON)
			if err != nil {
				return err
			}
			asJSON = f == formatJSON
			inv, err := discover()
			if err != nil {
				return fmt.Errorf("devices: %w", err)
			}
			defer inv.Close()
			stderr := cmd.ErrOrStderr()
			if inv.Note != "" {
				fmt.Fprintln(stderr, "gotrt:", inv.Note)
			}
			for _, w := range inv.Warnings {
				fmt.Fprintln(stderr, "gotrt: warning:", w)
			}
			if inv.GPUs() {
				if err := gpuUsable(); err != nil {
					fmt.Fprintf(stderr, "gotrt: the built-in model runs on the CPU here: %v\n", err)
				}
			}
			if note := tensorrtNote(probeTensorRT()); note != "" {
				fmt.Fprintln(stderr, "gotrt:", note)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(inv.Devices)
			}
			return printDevices(cmd.OutOrStdout(), inv.Devices)
		},
	}
	addFormatFlags(cmd, &format, &asJSON, "text", "text or json (stdout holds the JSON alone)")
	return cmd
}

// printDevices writes the devices as an aligned table.
func printDevices(w io.Writer, devs []result.Device) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tID\tKIND\tNAME\tMEMORY\tCC\tVIRT\tUUID\tPCI\tDRIVER/CUDA\tDETAIL")
	for _, d := range devs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			d.Index, d.ID, d.Kind, d.Name, gib(d.MemoryB), dash(d.ComputeCapability),
			dash(d.Virtualization), dash(d.UUID), dash(d.PCIBusID), driver(d), detail(d))
	}
	return tw.Flush()
}

func gib(b uint64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func driver(d result.Device) string {
	if d.DriverVersion == "" && d.CUDADriverVersion == "" {
		return "-"
	}
	return dash(d.DriverVersion) + "/" + dash(d.CUDADriverVersion)
}

func detail(d result.Device) string {
	var parts []string
	if d.Kind == result.KindCPU && d.Multiprocessors > 0 {
		parts = append(parts, fmt.Sprintf("%d CPUs", d.Multiprocessors))
	}
	if m := d.MIG; m != nil {
		parts = append(parts, fmt.Sprintf("MIG %s on GPU %d (gi %d, ci %d)", m.Profile, m.ParentIndex, m.GPUInstance, m.ComputeInstance))
	}
	if v := d.VGPU; v != nil {
		lic := "unlicensed"
		if v.Licensed {
			lic = "licensed"
			if v.LicenseExpiry != "" {
				lic += " until " + v.LicenseExpiry
			}
		}
		parts = append(parts, fmt.Sprintf("%s, %s", dash(v.Product), lic))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}

// deviceLabel names a scheduled device for the summary: its kind, and for a
// GPU or MIG instance its product name from the run's device list.
func deviceLabel(devs []result.Device, d result.SchedulerDevice) string {
	for _, info := range devs {
		if info.ID != d.ID {
			continue
		}
		// Discovery's kind: it tells a MIG instance from a whole GPU.
		if info.Kind == result.KindGPU || info.Kind == result.KindMIG {
			return info.Kind + " " + info.Name
		}
		return dash(info.Kind)
	}
	return dash(d.Kind)
}
