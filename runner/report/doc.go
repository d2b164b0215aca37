// Package report reads gotrt result.json files back and turns them into what
// people read: comparison tables of systems (the seed study's bare metal
// against vGPU table), the list of what else differs between the systems,
// scaling tables over device counts, and charts.
//
// [ReadResult] reads one result.json and refuses a schema of another major
// version ([ErrSchemaVersion]). [LoadSystem] reads a system: one result file,
// or every result.json under a folder. [Compare] lines systems up by
// benchmark (model) and scenario; [Scale] runs a caller's run function over
// device counts and [LoadScaling] reads such a run back. Tables render as
// aligned text, Markdown or CSV ([Table.Write]); charts are gonum/plot plots
// written as SVG and PNG ([SaveCharts]).
//
// Errors are wrapped with %w and name the file or system concerned. The
// conclusive sentinels are [ErrSchemaVersion], [ErrNoResults],
// [ErrNoSharedBenchmark] and [ErrDuplicate]; a path that does not exist
// wraps [io/fs.ErrNotExist].
//
// Results from simulated devices are labelled "simulated" wherever they
// appear, in tables and charts alike, and INVALID results are marked as such.
package report
