import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyZoo

/// `galaxynet plot`: columns of a table drawn against one of them, with the same plot code as
/// every figure GalaxyNet writes (readable ticks, legend inside the canvas).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot",
        abstract: "Draw columns of a CSV or FITS table against one of them as an SVG line plot (the figures of docs/ are made this way).")

    @Argument(help: "The table (CSV with a header row, or FITS).") var table: String
    @Option(help: "The column along x.") var x: String
    @Option(help: "The columns to draw, comma-separated (default: every other numeric column).") var y: String?
    @Option(help: "Title.") var title = ""
    @Option(help: "x-axis label (default: the column's name).") var xLabel: String?
    @Option(help: "y-axis label.") var yLabel = ""
    @Option(help: "The SVG to write.") var out: String

    func validate() throws { try OutputPath.check(out, extensions: ["svg"], inputs: [table]) }

    func run() throws {
        let reader = try CatalogueReader(table)
        let names = reader.schema.map(\.name)
        let xColumn = try reader.column(x, role: "x")
        var rows: [[Cell]] = []
        while case let batch = try reader.next(4096), !batch.isEmpty { rows += batch }
        let numeric = { (c: Int) in rows.allSatisfy { Double($0[c].exactText) != nil || $0[c].exactText.isEmpty } }
        let columns = try y.map { try $0.split(separator: ",").map { try reader.column(String($0), role: "y") } }
            ?? names.indices.filter { $0 != xColumn && numeric($0) }
        guard !columns.isEmpty else { throw ValidationError("\(table) has no numeric column to draw against \(x)") }
        var plot = LinePlot(title: title, xLabel: xLabel ?? x, yLabel: yLabel)
        for (k, c) in columns.enumerated() {
            let points = rows.compactMap { row -> (x: Double, y: Double)? in
                guard let px = Double(row[xColumn].exactText), let py = Double(row[c].exactText) else { return nil }
                return (px, py)
            }
            plot.series.append(.init(label: names[c], colour: LinePlot.palette[k % LinePlot.palette.count], points: points, markers: true))
        }
        try FileOutput.write(plot.svg, to: out)
        print("wrote \(out) (\(columns.count) series, \(rows.count) rows)")
    }
}
