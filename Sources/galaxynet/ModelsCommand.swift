import ArgumentParser
import GalaxyCore
import GalaxyTensor
import GalaxyZoo
import GalaxyNetwork

/// `galaxynet models`: the built-in model configurations and their parameter counts.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List the built-in models with their parameter counts.")

    @Option(help: "Print one model's JSON configuration (a starting point for your own).") var show: String?

    func run() throws {
        if let show {
            print(try ModelConfiguration.named(show).json)
            return
        }
        print(Text.pad("model", 16) + "   parameters  description")
        for config in ModelConfiguration.builtIn {
            print(Text.pad(config.name, 16) + String(format: " %12d  ", config.parameterCount) + config.summary)
        }
    }
}
