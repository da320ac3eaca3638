import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyZoo
import GalaxyNetwork
import GalaxyTraining
import GalaxyDistributed

extension FinetuneTask.Kind: ExpressibleByArgument {}

/// `galaxynet finetune`: a new question on a trained network's trunk.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "finetune",
        abstract: "Teach a trained network a new question from a labels table: a new head on its trunk, frozen (--unfreeze 0, the linear probe) or with its top blocks trained.",
        discussion: """
        The task becomes a one-question decision tree (its answers the classes), so NEWRUN is an \
        ordinary run folder: predict, classify, catalogue prediction and embed use it, their columns \
        named after the target. The labels and links to their images are written to NEWRUN.dataset/; \
        a tenth of the labels (the highest IDs) validate, and --patience stops when they no longer \
        improve. Continue a stopped finetune with `galaxynet train --resume NEWRUN`.
        """)

    @Option(help: "The trained run (or model file) whose trunk to start from.") var from: String
    @Option(help: "Labels: CSV with a header row, or a FITS table, one row per galaxy.") var labels: String
    @Option(help: "The target column (binary, multiclass; regression: fractions in [0, 1]), or the count columns of one question's answers (votes), comma-separated.")
    var target: String
    @Option(help: "binary | multiclass | regression | votes") var task: FinetuneTask.Kind
    @Option(help: "The labels' ID column.") var idColumn = "id"
    @Option(help: "The labels' image column (JPEG, relative to the table); without it <ID>.jpg in --images.") var fileColumn: String?
    @Option(help: "Folder of <ID>.jpg images (default: the labels' folder).") var images: String?
    @Option(help: "A classifier's classes, comma-separated (default: the values found); a label outside them is refused.") var classes: String?
    @Option(help: "Blocks below the head to train (0: the linear probe; the rest stay frozen).") var unfreeze = 2
    @Option(help: "Learning-rate factor per block down from the head (0.5: the block under the head at half the rate, the next at a quarter).") var layerDecay: Float = 0.5
    @Flag(help: "Train the same network from random weights instead (the baseline a finetune must beat).") var scratch = false
    @Flag(inversion: .prefixedNo, help: "Draw each class equally often (classifiers; off: as the labels come).") var balanceClasses = true
    @Option(help: "Updates.") var steps = 600
    @Option(help: "Stop after this many validations without improvement (0: never).") var patience = 6
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "The new run folder.") var out: String
    @Option(help: "Augmentation worker threads.") var workers = 2
    @OptionGroup var compute: BackendOptions

    func validate() throws {
        guard steps > 0, unfreeze >= 0, patience >= 0 else { throw ValidationError("--steps must be positive, --unfreeze and --patience ≥ 0") }
        guard layerDecay > 0 && layerDecay <= 1 else { throw ValidationError("--layer-decay must be in (0, 1]") }
        try OutputPath.check(out, inputs: [from, labels, images].compactMap { $0 })
    }

    func run() throws {
        let source = RunFolder(from).model
        let trained = try source.loadConfiguration()
        let task = try FinetuneTask(table: labels, kind: task, targets: target.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                                    idColumn: idColumn, fileColumn: fileColumn, images: images,
                                    classes: classes?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let configuration = Finetuning.configuration(from: trained, task: task)
        let blocks = Finetuning.blocks(of: configuration)
        guard unfreeze <= blocks.count else { throw ValidationError("--unfreeze \(unfreeze): the model has \(blocks.count) blocks (\(blocks.map(\.name).joined(separator: ", ")))") }
        let scales = scratch ? [:] : Finetuning.layerScales(configuration, unfreeze: unfreeze, layerDecay: layerDecay)
        var options = Finetuning.options(steps: steps, seed: seed, parameterCount: configuration.parameterCount, scales: scales,
                                         balance: balanceClasses && (task.kind == .binary || task.kind == .multiclass), patience: patience > 0 ? patience : nil,
                                         trunk: scratch ? nil : .init(path: URL(fileURLWithPath: from).standardizedFileURL.path, fingerprint: try source.fingerprint()))
        options.workers = workers
        let run = RunFolder(out), datasetFolder = out + ".dataset"
        if FileManager.default.fileExists(atPath: run.optionsFile) { throw ValidationError("\(out) already holds a run: continue it with galaxynet train --resume \(out)") }
        try task.writeDataset(to: datasetFolder)
        let dataset = try KaggleDataset(root: datasetFolder, tree: task.tree)
        let group = Launcher.processGroup()
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: run, backend: compute.backend.backend, group: group)
        try trainer.record(compute.provenance())
        if let copied = try trainer.adoptRecordedTrunk(), group.rank == 0 {
            let trained = Finetuning.trained(configuration, scales: scales)
            // Written at once: the trainer's progress lines that follow go straight to standard output.
            FileHandle.standardOutput.write(Data("started from \(from): \(copied.count) trunk parameters copied; training \(trained.joined(separator: ", ")), the rest frozen\n".utf8))
        }
        try TrainingSession.run(trainer, group: group, until: nil)
        if group.rank == 0 { print("answers: \(task.tree.columnNames.joined(separator: ", "))") }
    }
}
