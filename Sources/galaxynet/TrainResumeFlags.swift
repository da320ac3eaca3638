import GalaxyZoo
import GalaxyNetwork
import GalaxyTraining

extension TrainCommand {
    /// The new-run flags given with --resume that would change the run, each with the value
    /// run.json holds; a flag that repeats the run's own value is accepted (a job script that
    /// resubmits its first command with --resume added still works).
    func resumeConflicts(_ stored: TrainingOptions, model configuration: ModelConfiguration) -> [String] {
        var found: [String] = []
        func check<T: Equatable>(_ flag: String, _ given: T?, _ recorded: T, _ show: (T) -> String = { "\($0)" }) {
            if let given, given != recorded { found.append("\(flag) \(show(given)) (the run has \(show(recorded)))") }
        }
        check("--model", model.flatMap { try? ModelConfiguration.named($0) }?.name ?? model, configuration.name)
        check("--steps", steps, stored.steps)
        check("--batch", batch, stored.batchSize)
        check("--seed", seed, stored.seed)
        check("--warmup", warmup, stored.warmUpSteps)
        check("--validate-every", validateEvery, stored.validateEvery)
        check("--mode", mode, stored.mode) { $0.rawValue }
        check("--dead-answer-penalty", deadAnswerPenalty, stored.deadAnswerPenalty ?? 0)
        check("--fraction-weight", fractionWeight, stored.fractionWeight ?? 0)
        check("--dropout", dropout, stored.dropout ?? configuration.dropout)
        check("--tree", tree.flatMap { try? DecisionTree.named($0) }?.name ?? tree, configuration.tree.name)
        check("--loss", loss, configuration.objective) { $0.rawValue }
        check("--bands", cutout.bands, configuration.cutout.bands)
        check("--cutout-size", cutout.cutoutSize, configuration.cutout.size)
        check("--cutout-scale", cutout.cutoutScale, configuration.cutout.pixelScale)
        check("--on-bad-image", onBadImage, stored.onBadImage ?? .fail) { $0.rawValue }
        if out != nil { found.append("--out (--resume already names the run's folder)") }
        if scaleLearningRate || rampSteps != nil {
            found.append("--scale-learning-rate (the run " + (stored.learningRateRamp == nil ? "does not scale its rates)" : "scales its rates already)"))
        }
        let recipe = "the run's recipe is \(stored.recipe ?? "faithful") with \((stored.optimizer ?? .nesterov).rawValue)"
        found += self.recipe.flagsGiven.map { "\($0) (\(recipe))" }
        return found
    }
}
