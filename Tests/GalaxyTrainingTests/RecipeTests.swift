import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyLayers
import GalaxyZoo
import GalaxyTraining
import GalaxyNetwork
import TestSupport

@Suite("Schedules and recipes")
struct ScheduleTests {
    @Test func cosineScheduleWarmsUpThenFollowsHalfACosine() {
        var o = TrainingOptions(steps: 1000)
        o.schedule = .cosine
        o.scheduleWarmUpSteps = 100
        o.learningRates = [0.002, 0.00002]
        #expect(o.learningRate(at: 0) == 0.002 * 1 / 100 && abs(o.learningRate(at: 49) - 0.001) < 1e-9)
        #expect(o.learningRate(at: 100) == 0.002)
        // Half-way through the decay: (peak + floor)/2; at the end: the floor.
        #expect(abs(o.learningRate(at: 550) - 0.00101) < 1e-8)
        #expect(abs(o.learningRate(at: 1000) - 0.00002) < 1e-9 && abs(o.learningRate(at: 5000) - 0.00002) < 1e-9)
        let rates = (100...1000).map(o.learningRate(at:))
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "the decay never rises")
    }

    @Test func trapezoidAndLinearSchedulesFallInAStraightLine() {
        var o = TrainingOptions(steps: 1000)
        o.schedule = .trapezoid
        o.scheduleWarmUpSteps = 50
        o.scheduleDecayFraction = 0.3
        o.learningRates = [0.002, 0.00002]
        #expect(o.learningRate(at: 0) == 0.002 / 50 && o.learningRate(at: 50) == 0.002)
        #expect(o.learningRate(at: 699) == 0.002 && o.learningRate(at: 700) == 0.002, "held until the last 30 %")
        // Half-way down the decay (update 850): (peak + floor)/2; at the end and after: the floor.
        #expect(abs(o.learningRate(at: 850) - 0.00101) < 1e-8)
        #expect(abs(o.learningRate(at: 1000) - 0.00002) < 1e-9 && abs(o.learningRate(at: 4000) - 0.00002) < 1e-9)
        o.scheduleDecayFraction = nil
        #expect(o.learningRate(at: 800) == 0.002 && abs(o.learningRate(at: 900) - 0.00101) < 1e-8, "the default decays over the last 20 %")
        o.scheduleDecayFraction = 1.5
        #expect(o.problem != nil)
        // The linear schedule: straight down from the end of the warm-up; the same line as a
        // trapezoid whose decay takes all the updates after its warm-up.
        o.schedule = .linear
        #expect(o.learningRate(at: 50) == 0.002 && abs(o.learningRate(at: 525) - 0.00101) < 1e-8 && abs(o.learningRate(at: 1000) - 0.00002) < 1e-9)
        var trapezoid = o
        (trapezoid.schedule, trapezoid.scheduleDecayFraction) = (.trapezoid, 0.95)
        #expect((50...1000).allSatisfy { o.learningRate(at: $0) == trapezoid.learningRate(at: $0) })
    }

    @Test func theFastRecipeIsRecordedAndTheFaithfulOneIsTheOriginal() {
        var steps = TrainingChoices()
        (steps.steps, steps.batchSize) = (2000, 16)
        let original = TrainingOptions(steps: 2000)
        let o = TrainingOptions.Recipe.fast.options(overriddenBy: steps, parameterCount: 1_000_000)
        #expect(o.recipe == "fast" && o.optimizer == .adamW && o.schedule == .linear && o.averageDecay != nil && o.scheduleWarmUpSteps == 100
                && o.outputBias == .labelMeans && o.batchSize == 16)
        #expect(o.makeOptimizer() is AdamW && o.learningRates[0] == 0.002 && abs(o.learningRates[1] - 0.00002) < 1e-10)
        // Warm-up, then straight down from the peak: no update is held at it.
        #expect(o.learningRate(at: 100) == 0.002 && o.learningRate(at: 101) < 0.002 && abs(o.learningRate(at: 1050) - 0.00101) < 1e-8)
        // The recipe's own batch: 8 for a small model, at √(8/16) of the batch-16 peak; 16 for a
        // large one, at the large models' peak (the best model's outputs collapse at 5·10⁻⁴ and above).
        #expect(TrainingOptions.Recipe.faithful.preset.batchSize == nil)
        steps.batchSize = nil
        let small = TrainingOptions.Recipe.fast.options(overriddenBy: steps, parameterCount: 1_000_000)
        #expect(small.batchSize == 8 && abs(small.learningRates[0] - 0.002 * Float(0.5).squareRoot()) < 1e-9)
        let large = TrainingOptions.Recipe.fast.options(overriddenBy: steps, parameterCount: 42_377_125)
        #expect(large.batchSize == 16 && large.learningRates[0] == 0.0003 && abs(large.learningRates[1] - large.learningRates[0] / 100) < 1e-11)
        #expect(TrainingOptions.adamWPeakRate(parameterCount: 42_377_125) == 0.0003 && TrainingOptions.adamWPeakRate(parameterCount: 10, batchSize: 64) == 0.004)
        var faithful = TrainingOptions.Recipe.faithful.options(overriddenBy: steps, parameterCount: 1_000_000)
        #expect(faithful.makeOptimizer() is SGD && faithful.recipe == "faithful")
        faithful.recipe = nil
        #expect(faithful == original)
        // run.json files written before these options still load, as the faithful recipe.
        var json = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(original)) as! [String: Any]
        for key in ["optimizer", "schedule", "averageDecay", "recipe", "outputBias"] { json.removeValue(forKey: key) }
        let old = try! JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old == original)
    }

    /// Flags override a recipe's parts one by one; the rates follow the optimiser and schedule
    /// chosen, keeping the recipe's ratios, and a flag that contradicts the result is refused.
    @Test func flagsOverrideTheRecipeInOnePlace() {
        var c = TrainingChoices()
        c.optimizer = .adamW
        let adam = TrainingOptions.Recipe.faithful.options(overriddenBy: c, parameterCount: 1_000_000)
        #expect(adam.learningRates == [0.04, 0.004, 0.0004].map { $0 * Float(0.002) / 0.04 } && adam.schedule == nil && adam.averageDecay == nil)
        c = TrainingChoices()
        (c.optimizer, c.averageDecay) = (.nesterov, 0.99)
        let sgd = TrainingOptions.Recipe.fast.options(overriddenBy: c, parameterCount: 1_000_000)
        #expect(sgd.learningRates == [0.04, 0.0004] && sgd.schedule == .linear && sgd.averageDecay == 0.99 && sgd.batchSize == 8 && sgd.dropout == 0.25)
        c = TrainingChoices()
        (c.schedule, c.learningRate) = (.steps, 0.001)
        let stepped = TrainingOptions.Recipe.fast.options(overriddenBy: c, parameterCount: 1_000_000)
        #expect(stepped.problem == nil && stepped.learningRates.count == 3 && stepped.learningRates[0] == 0.001 && stepped.scheduleWarmUpSteps == nil)
        c = TrainingChoices()
        c.weightDecay = 0.1
        #expect(c.problem(over: TrainingOptions.Recipe.faithful.preset)?.part == \TrainingChoices.weightDecay)
        #expect(c.problem(over: TrainingOptions.Recipe.fast.preset) == nil)
        c = TrainingChoices()
        c.scheduleWarmUpSteps = 10
        #expect(c.problem()?.reason.contains("cosine") == true && c.problem(over: TrainingOptions.Recipe.fast.preset) == nil)
        c = TrainingChoices()
        c.linearScaling = .init(rampSteps: 5)
        #expect(c.problem(over: TrainingOptions.Recipe.fast.preset)?.part == \TrainingChoices.linearScaling && c.problem() == nil)
        c = TrainingChoices()
        c.dropout = 1
        #expect(c.problem()?.part == \TrainingChoices.dropout)
    }
}

@Suite("Recipes under resume", .serialized)
struct RecipeResumeTests {
    var small: ModelConfiguration { ModelConfiguration.builtIn.first { $0.name == "small" }! }

    func options(_ change: (inout TrainingOptions) -> Void) -> TrainingOptions {
        var o = TrainingOptions(steps: 16, seed: 9)
        o.warmUpSteps = 4
        o.validateEvery = 8
        o.logEvery = 4
        o.workers = 1
        change(&o)
        return o
    }

    /// Trains 16 updates straight and 8 + 8 with a resume between; the checkpoints (weights,
    /// optimiser state, average) must be the same bytes and the logged losses equal.
    @discardableResult
    func expectBitIdenticalResume(_ options: TrainingOptions, _ label: String) throws -> RunFolder {
        let dataset = try KaggleDataset(root: sharedMock)
        let backend = OneDNNBackend.sharedFast
        let whole = RunFolder(scratch("whole-\(label)")), split = RunFolder(scratch("split-\(label)"))
        _ = try Trainer(dataset: dataset, configuration: small, options: options, run: whole, backend: backend, progress: { _ in }).train()
        _ = try Trainer(dataset: dataset, configuration: small, options: options, run: split, backend: backend, progress: { _ in }).train(until: 8)
        _ = try Trainer(dataset: dataset, configuration: small, options: options, run: split, backend: backend, resume: true, progress: { _ in }).train()
        for file in ["weights.safetensors", "optimizer.safetensors", "average.safetensors"] {
            let a = FileManager.default.contents(atPath: whole.checkpoint + "/" + file), b = FileManager.default.contents(atPath: split.checkpoint + "/" + file)
            #expect(a == b, "\(label): \(file) differs after a resume")
            #expect((a != nil) == (file != "average.safetensors" || options.averageDecay != nil), "\(label): \(file) present")
        }
        let a = RunFolderLog.read(whole), b = RunFolderLog.read(split)
        #expect(a.map(\.loss) == b.map(\.loss) && a.count == 4, "\(label): losses \(a.map(\.loss)) vs \(b.map(\.loss))")
        #expect(a.last?.validation_rmse == b.last?.validation_rmse && a.last?.validation_rmse != nil)
        return whole
    }

    @Test func adamWResumesBitIdentically() throws {
        try expectBitIdenticalResume(options { $0.optimizer = .adamW; $0.learningRates = [0.001, 0.0001, 0.00001] }, "adamw")
    }

    @Test func cosineAndTrapezoidSchedulesResumeBitIdentically() throws {
        try expectBitIdenticalResume(options { $0.schedule = .cosine; $0.scheduleWarmUpSteps = 3; $0.learningRates = [0.04, 0.0004] }, "cosine")
        try expectBitIdenticalResume(options { $0.schedule = .trapezoid; $0.scheduleWarmUpSteps = 2; $0.scheduleDecayFraction = 0.5; $0.learningRates = [0.04, 0.0004] }, "trapezoid")
    }

    /// Label-mean output biases: a new run starts with each answer's mean over its training rows
    /// (at least 0.001) as the output bias, in the average too; a resume keeps the trained ones.
    @Test func labelMeanOutputBiasesStartAtTheTrainingMeanAndResume() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        let o = options { $0.outputBias = .labelMeans; $0.averageDecay = 0.9 }
        let trainer = try Trainer(dataset: dataset, configuration: small, options: o, run: RunFolder(scratch("label-means-start")),
                                  backend: OneDNNBackend.sharedFast, progress: { _ in })
        let means = Baselines(training: dataset.labels.subset(dataset.split.training)).trainingMean.map { max($0, 0.001) }
        #expect(trainer.model.output.bias.value.scalars == means)
        #expect(trainer.evaluationModel.output.bias.value.scalars == means, "the average starts from the same biases")
        #expect(Set(means).count > 10, "the biases differ by answer")
        try expectBitIdenticalResume(o, "label-means")
    }

    @Test func weightAverageResumesBitIdenticallyAndIsWhatPredictionLoads() throws {
        let run = try expectBitIdenticalResume(options { $0.averageDecay = 0.9 }, "average")
        var fast = TrainingChoices()
        (fast.steps, fast.seed, fast.batchSize, fast.warmUpSteps, fast.validateEvery) = (16, 9, 16, 4, 8)
        try expectBitIdenticalResume(options { $0 = TrainingOptions.Recipe.fast.options(overriddenBy: fast, parameterCount: 1_000_000); ($0.logEvery, $0.workers) = (4, 1) }, "fast")
        // The published model is the average, not the last weights.
        #expect(try run.model.publishedWeightsFile(run.model.readManifest()) == run.averageFile)
        let published = try run.loadModel(backend: ReferenceBackend.shared).namedParameters.map { $0.tensor.scalars }
        let average = try SafeTensors.read(run.averageFile).map { $0.tensor.scalars }
        let weights = try SafeTensors.read(run.weightsFile).map { $0.tensor.scalars }
        #expect(published == average && published != weights)
    }
}
