import Foundation
import ArgumentParser
import GalaxyTensor
import GalaxyKernels

/// The `galaxynet` command line.
@main
struct GalaxyNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "galaxynet",
        abstract: "Learn Galaxy Zoo morphology from galaxy images (a Swift successor of the 2014 winning convnet).",
        subcommands: [BenchCommand.self, LeNetCommand.self, MontageCommand.self, CheckLabelsCommand.self, MockCommand.self, InspectMockCommand.self, ExtractCommand.self, InspectCommand.self, ColourPCACommand.self, ModelsCommand.self, TrainCommand.self, CompareCommand.self, PredictCommand.self, JoinCommand.self, EvaluateCommand.self, CalibrateCommand.self, BlendCommand.self, ClassifyCommand.self, DemoCommand.self, ReferenceCommand.self, TreeCommand.self, InfoCommand.self, ExportCommand.self, CardCommand.self, EmbedCommand.self, FinetuneCommand.self, ServeCommand.self, PlotCommand.self, SimilarCommand.self, AnomaliesCommand.self])
}

/// `galaxynet bench …`: speed measurements that print figures (never timed tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed: per-layer kernels against the machine's sgemm peak, the input pipeline, training and prediction; LeNet on both backends.",
        subcommands: [KernelBenchCommand.self, LeNetBenchCommand.self, AugmentBenchCommand.self, TrainBenchCommand.self, PredictBenchCommand.self, GradientSumBenchCommand.self, SimilarBenchCommand.self])
}
