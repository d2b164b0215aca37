package trt

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"
)

// LayerTensor is one input or output of an engine layer, as the engine
// inspector describes it.
type LayerTensor struct {
	Name       string  `json:"name"`
	Dimensions []int64 `json:"dimensions,omitempty"`
	// FormatDatatype is TensorRT's description, e.g. "Thirty-two wide
	// channel vectorized row major Int8 format".
	FormatDatatype string `json:"format_datatype,omitempty"`
	// Precision is the element type read from FormatDatatype ("int8",
	// "fp16", ...), empty when it names none.
	Precision string `json:"precision,omitempty"`
}

// LayerInfo is one layer of an engine, from the engine inspector's JSON.
// Engines built with ProfilingVerbosity kLAYER_NAMES_ONLY (TensorRT's
// default) give names only; kDETAILED also gives types, tensors and tactics.
type LayerInfo struct {
	Name    string        `json:"name"`
	Type    string        `json:"type,omitempty"`
	Inputs  []LayerTensor `json:"inputs,omitempty"`
	Outputs []LayerTensor `json:"outputs,omitempty"`
	Tactic  string        `json:"tactic,omitempty"`
	// Precision is the layer's precision: that of its first input, else of
	// its first output (as TensorRT's engine explorer counts it); empty
	// when the engine gives names only.
	Precision string `json:"precision,omitempty"`
}

// EngineInformation is the inspector's description of a whole engine.
type EngineInformation struct {
	Layers []LayerInfo `json:"layers"`
	// Bindings lists the IO tensor names (TensorRT 8.6 and 10.x).
	Bindings []string `json:"bindings,omitempty"`
	// Detailed is true when the layers carry more than names.
	Detailed bool `json:"detailed"`
}

type rawLayerTensor struct {
	Name           string  `json:"Name"`
	Dimensions     []int64 `json:"Dimensions"`
	FormatDatatype string  `json:"Format/Datatype"`
}

type rawLayer struct {
	Name        string           `json:"Name"`
	LayerType   string           `json:"LayerType"`
	Inputs      []rawLayerTensor `json:"Inputs"`
	Outputs     []rawLayerTensor `json:"Outputs"`
	TacticName  string           `json:"TacticName"`
	TacticValue string           `json:"TacticValue"`
}

// ParseLayerInformation reads one layer as IEngineInspector::getLayerInformation
// writes it in kJSON format: an object for detailed engines, a bare name
// string otherwise.
func ParseLayerInformation(data []byte) (LayerInfo, error) {
	var name string
	if err := json.Unmarshal(data, &name); err == nil {
		return LayerInfo{Name: name}, nil
	}
	var r rawLayer
	if err := json.Unmarshal(data, &r); err != nil {
		return LayerInfo{}, fmt.Errorf("engine inspector layer json: %w", err)
	}
	l := LayerInfo{Name: r.Name, Type: r.LayerType, Tactic: r.TacticName}
	if l.Tactic == "" {
		l.Tactic = r.TacticValue
	}
	conv := func(ts []rawLayerTensor) []LayerTensor {
		var out []LayerTensor
		for _, t := range ts {
			out = append(out, LayerTensor{Name: t.Name, Dimensions: t.Dimensions, FormatDatatype: t.FormatDatatype,
				Precision: PrecisionOf(t.FormatDatatype)})
		}
		return out
	}
	l.Inputs, l.Outputs = conv(r.Inputs), conv(r.Outputs)
	switch {
	case len(l.Inputs) > 0 && l.Inputs[0].Precision != "":
		l.Precision = l.Inputs[0].Precision
	case len(l.Outputs) > 0:
		l.Precision = l.Outputs[0].Precision
	}
	return l, nil
}

// ParseEngineInformation reads IEngineInspector::getEngineInformation's kJSON
// output: {"Layers": [...], "Bindings": [...]}.
func ParseEngineInformation(data []byte) (*EngineInformation, error) {
	var raw struct {
		Layers   []json.RawMessage `json:"Layers"`
		Bindings []string          `json:"Bindings"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("engine inspector json: %w", err)
	}
	info := &EngineInformation{Bindings: raw.Bindings}
	for i, m := range raw.Layers {
		l, err := ParseLayerInformation(m)
		if err != nil {
			return nil, fmt.Errorf("engine inspector json: layer %d: %w", i, err)
		}
		if l.Type != "" || len(l.Inputs) > 0 || len(l.Outputs) > 0 {
			info.Detailed = true
		}
		info.Layers = append(info.Layers, l)
	}
	return info, nil
}

// precisionTokens maps words of TensorRT's format descriptions to element
// types. Whole words are matched, so "UInt8" is not read as int8.
var precisionTokens = map[string]string{
	"fp32": "fp32", "float": "fp32", "float32": "fp32",
	"fp16": "fp16", "half": "fp16", "float16": "fp16",
	"bf16": "bf16", "bfloat16": "bf16",
	"int8": "int8", "uint8": "uint8", "int32": "int32", "int64": "int64",
	"int4": "int4", "fp8": "fp8", "fp4": "fp4", "bool": "bool", "e8m0": "e8m0",
}

// PrecisionOf reads the element type from an inspector "Format/Datatype"
// description such as "Row major linear FP32" or "Four wide channel
// vectorized row major Int8 format"; it returns "" when the description
// names no type.
func PrecisionOf(formatDatatype string) string {
	words := strings.FieldsFunc(formatDatatype, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if p, ok := precisionTokens[strings.ToLower(w)]; ok {
			return p
		}
	}
	return ""
}

// inspectShapes is the input shapes the engine inspector's context is set
// to: profile 0's optimal shape of every input with a dynamic shape; none
// when no input is dynamic (the inspector then needs no context).
func inspectShapes(tensors []IOTensor, profiles []Profile) []ProfileShapes {
	if len(profiles) == 0 {
		return nil
	}
	var out []ProfileShapes
	for _, t := range tensors {
		if t.Mode != ModeInput || !t.Shape.Dynamic() {
			continue
		}
		for _, p := range profiles[0].Inputs {
			if p.Name == t.Name {
				out = append(out, p)
			}
		}
	}
	return out
}

// Report is what `gotrt inspect` prints: an engine's IO tensors, profiles and
// per-layer precisions.
type Report struct {
	File           string      `json:"file"`
	TensorRT       string      `json:"tensorrt,omitempty"`
	IOTensors      []IOTensor  `json:"io_tensors"`
	Profiles       []Profile   `json:"profiles"`
	DeviceMemory   int64       `json:"device_memory_bytes"`
	Layers         []LayerInfo `json:"layers"`
	DetailedLayers bool        `json:"detailed_layers"`
	// Precisions counts layers by precision ("" when only names are known).
	Precisions map[string]int `json:"precisions"`
}

// CountPrecisions fills Precisions from Layers.
func (r *Report) CountPrecisions() {
	r.Precisions = map[string]int{}
	for _, l := range r.Layers {
		p := l.Precision
		if p == "" {
			p = "unknown"
		}
		r.Precisions[p]++
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for a person to read.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "plan\t%s\n", r.File)
	if r.TensorRT != "" {
		fmt.Fprintf(tw, "tensorrt\t%s\n", r.TensorRT)
	}
	fmt.Fprintf(tw, "device memory\t%d MiB\n", (r.DeviceMemory+(1<<20)-1)>>20)
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "TENSOR\tMODE\tTYPE\tSHAPE\tFORMAT")
	for _, t := range r.IOTensors {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Mode, t.DataType, t.Shape, t.Format)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "PROFILE\tTENSOR\tMIN\tOPT\tMAX")
	for _, p := range r.Profiles {
		for _, in := range p.Inputs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.Index, in.Name, in.Min, in.Opt, in.Max)
		}
	}
	fmt.Fprintln(tw)
	if !r.DetailedLayers {
		fmt.Fprintf(tw, "%d layers (names only: build with detailed profiling verbosity to see precisions)\n", len(r.Layers))
	} else {
		keys := make([]string, 0, len(r.Precisions))
		for k := range r.Precisions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, r.Precisions[k])
		}
		fmt.Fprintf(tw, "%d layers: %s\n", len(r.Layers), strings.Join(parts, ", "))
		fmt.Fprintln(tw, "LAYER\tTYPE\tPRECISION\tTACTIC")
		for _, l := range r.Layers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Name, l.Type, l.Precision, l.Tactic)
		}
	}
	return tw.Flush()
}
