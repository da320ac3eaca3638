// swift-tools-version: 6.0
// GalaxyNet: the winning Galaxy Zoo convnet, re-created in Swift.
// Targets are listed in their one-way dependency order:
// C shims → base → tensor core → fast kernels → autodiff → layers → imaging → Galaxy Zoo data →
// network, mock universe → model folders → training, prediction → MPI, demo, benchmarks → CLI. Each target declares every
// module it imports.
import PackageDescription

let optimise: [SwiftSetting] = []

let package = Package(
    name: "GalaxyNet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "galaxynet", targets: ["galaxynet"]),
        .library(name: "GalaxyNet", targets: ["GalaxyTensor", "GalaxyKernels", "GalaxyAutodiff", "GalaxyLayers", "GalaxyImaging", "GalaxyZoo",
                                               "GalaxyNetwork", "GalaxyMock", "GalaxyModels", "GalaxyTraining", "GalaxyPrediction",
                                               "GalaxyDemo", "GalaxyBenchmarks", "GalaxySimilarity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C shims: one system-library target per Debian library.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CFITSIO", path: "Sources/CFITSIO", pkgConfig: "cfitsio", providers: [.apt(["libcfitsio-dev"])]),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),

        // The base: programmer-error checks (`require`), the seeded random generator, checksums, atomic
        // file output and the one worker pool.
        .target(name: "GalaxyCore", dependencies: ["CZlib"], swiftSettings: optimise),
        // Tensor values, the Backend interface and the plain reference kernels.
        .target(name: "GalaxyTensor", dependencies: ["GalaxyCore"], swiftSettings: optimise),
        // Kernels compiled for AVX2 with FMA (the Winograd convolution), called by GalaxyKernels only
        // where the CPU has them: the flags apply to this module alone.
        .target(name: "GalaxyKernelsAVX2", swiftSettings: optimise + [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"])]),
        // The fast CPU backend: oneDNN for conv/pool/LRN, OpenBLAS for matmul, SIMD loops.
        .target(name: "GalaxyKernels", dependencies: ["GalaxyTensor", "GalaxyKernelsAVX2", "CDNNL", "COpenBLAS"], swiftSettings: optimise),
        // Reverse-mode automatic differentiation over GalaxyTensor ops.
        .target(name: "GalaxyAutodiff", dependencies: ["GalaxyTensor"], swiftSettings: optimise),
        // Layers, parameter enumeration and optimisers.
        .target(name: "GalaxyLayers", dependencies: ["GalaxyAutodiff"], swiftSettings: optimise),
        // FITS files through cfitsio: images (blank pixels as NaN), binary tables, keywords.
        .target(name: "GalaxyFITS", dependencies: ["CFITSIO", "GalaxyCore"], swiftSettings: optimise),
        // Images: JPEG decode/encode (libjpeg-turbo), PNG output, warps and augmentation.
        .target(name: "GalaxyImaging", dependencies: ["GalaxyCore", "GalaxyFITS", "CTurboJPEG", "CZlib"], swiftSettings: optimise),
        // The Galaxy Zoo data side: decision tree, Kaggle CSV/.npy I/O, datasets, metrics, label check.
        // No tensors, no autodiff: reading a catalogue pulls in nothing of the network.
        .target(name: "GalaxyZoo", dependencies: ["GalaxyCore", "GalaxyFITS"], swiftSettings: optimise),
        // The network: model configurations, the 16-part gather, the Galaxy Zoo model, the decision-tree output layer, batched inference.
        .target(name: "GalaxyNetwork", dependencies: ["GalaxyTensor", "GalaxyAutodiff", "GalaxyLayers", "GalaxyZoo", "GalaxyImaging"], swiftSettings: optimise),
        // The mock universe: morphology prior, renderer, simulated crowd, Kaggle-layout writer.
        .target(name: "GalaxyMock", dependencies: ["GalaxyCore", "GalaxyZoo", "GalaxyImaging"], swiftSettings: optimise),
        // A trained model on disk (configuration + published weights), loadable without any training code.
        .target(name: "GalaxyModels", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyLayers", "GalaxyNetwork"], swiftSettings: optimise),
        // Training runs: the run folder format, the training step, checkpointer, validator, trainer, learning curves, run comparison.
        .target(name: "GalaxyTraining", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyAutodiff", "GalaxyLayers", "GalaxyImaging", "GalaxyZoo",
                                                       "GalaxyNetwork", "GalaxyModels"], swiftSettings: optimise),
        // Open MPI: the process group of data-parallel training (bucketed, overlapped gradient sums), the peers of sharded
        // prediction, and the launcher check.
        .target(name: "GalaxyDistributed", dependencies: ["CMPI", "GalaxyTensor", "GalaxyTraining", "GalaxyPrediction"], swiftSettings: optimise),
        // Prediction: test-time averaging, bulk catalogue runs, blends, evaluation reports. No training code.
        .target(name: "GalaxyPrediction", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyAutodiff", "GalaxyLayers", "GalaxyFITS", "GalaxyImaging", "GalaxySimilarity",
                                                         "GalaxyZoo", "GalaxyNetwork", "GalaxyModels"], swiftSettings: optimise),
        // Embeddings: exact cosine neighbours over memory-mapped tables, blocked through the backend's matrix product.
        .target(name: "GalaxySimilarity", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyLayers", "GalaxyZoo", "GalaxyImaging"], swiftSettings: optimise),
        // Serving: the Open Inference Protocol over HTTP (Hummingbird), dynamic batching, Prometheus metrics, the web page.
        .target(name: "GalaxyServing", dependencies: ["GalaxyCore", "GalaxyImaging", "GalaxyZoo", "GalaxyNetwork", "GalaxyPrediction", "GalaxySimilarity",
                                                      .product(name: "Hummingbird", package: "hummingbird"),
                                                      .product(name: "Prometheus", package: "swift-prometheus")],
                resources: [.copy("Page")], swiftSettings: optimise),
        // The end-to-end demo: mock universe → two trained variants → test-time averaged predictions → blend → submission and report.
        .target(name: "GalaxyDemo", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyZoo", "GalaxyImaging", "GalaxyNetwork", "GalaxyMock",
                                                   "GalaxyTraining", "GalaxyPrediction"], swiftSettings: optimise),
        // The benchmark engines: kernels (layers read from a model configuration), input pipeline, training and prediction speed.
        .target(name: "GalaxyBenchmarks", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyKernels", "GalaxyImaging", "GalaxyZoo", "GalaxyNetwork",
                                                         "GalaxyMock", "GalaxyTraining", "GalaxyPrediction"], swiftSettings: optimise),
        // The fast-convolution study: LeNet on real MNIST digits, reference vs. fast backend.
        .target(name: "LeNetMNIST", dependencies: ["GalaxyTensor", "GalaxyAutodiff", "GalaxyLayers", "CZlib"], swiftSettings: optimise),
        // The `galaxynet` command line.
        .executableTarget(
            name: "galaxynet",
            dependencies: [
                "GalaxyCore", "GalaxyTensor", "GalaxyKernels", "GalaxyAutodiff", "GalaxyLayers", "LeNetMNIST", "GalaxyImaging", "GalaxyZoo", "GalaxyNetwork",
                "GalaxyMock", "GalaxyModels", "GalaxyTraining", "GalaxyDistributed", "GalaxyPrediction", "GalaxyDemo", "GalaxyBenchmarks", "GalaxySimilarity", "GalaxyServing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimise),

        // Helpers shared by the test targets. A test target per library module.
        .target(name: "TestSupport", dependencies: ["GalaxyTensor", "GalaxyKernels"], path: "Tests/Support"),
        .testTarget(name: "GalaxyCoreTests", dependencies: ["GalaxyCore"]),
        .testTarget(name: "GalaxyTensorTests", dependencies: ["GalaxyTensor", "GalaxyKernels", "TestSupport"]),
        .testTarget(name: "GalaxyAutodiffTests", dependencies: ["GalaxyTensor", "GalaxyKernels", "GalaxyAutodiff", "TestSupport"]),
        .testTarget(name: "GalaxyKernelsTests", dependencies: ["GalaxyTensor", "GalaxyKernels", "GalaxyAutodiff", "GalaxyLayers", "TestSupport"]),
        .testTarget(name: "GalaxyLayersTests", dependencies: ["GalaxyTensor", "GalaxyAutodiff", "GalaxyLayers", "GalaxyKernels", "LeNetMNIST", "TestSupport"]),
        .testTarget(name: "GalaxyFITSTests", dependencies: ["GalaxyFITS", "TestSupport"]),
        .testTarget(name: "GalaxyImagingTests", dependencies: ["GalaxyImaging", "GalaxyFITS", "GalaxyTensor", "TestSupport"]),
        .testTarget(name: "GalaxyZooTests", dependencies: ["GalaxyZoo", "TestSupport"]),
        .testTarget(name: "GalaxyNetworkTests", dependencies: ["GalaxyNetwork", "GalaxyZoo", "GalaxyImaging", "GalaxyKernels", "GalaxyAutodiff",
                                                               "GalaxyLayers", "GalaxyTensor", "TestSupport"]),
        .testTarget(name: "GalaxyMockTests", dependencies: ["GalaxyMock", "GalaxyZoo", "GalaxyImaging", "TestSupport"]),
        // Deliberately without GalaxyTraining: a saved model loads and predicts with no training code linked.
        .testTarget(name: "GalaxyModelsTests", dependencies: ["GalaxyModels", "GalaxyPrediction", "GalaxyNetwork", "GalaxyLayers", "GalaxyTensor", "TestSupport"]),
        .testTarget(name: "GalaxyTrainingTests", dependencies: ["GalaxyTraining", "GalaxyModels", "GalaxyZoo", "GalaxyNetwork", "GalaxyMock", "GalaxyImaging",
                                                                "GalaxyKernels", "GalaxyLayers", "GalaxyAutodiff", "GalaxyTensor", "TestSupport"]),
        .testTarget(name: "GalaxySimilarityTests", dependencies: ["GalaxySimilarity", "GalaxyCore", "GalaxyTensor", "GalaxyKernels", "GalaxyZoo", "GalaxyLayers", "TestSupport"]),
        .testTarget(name: "GalaxyDistributedTests", dependencies: ["GalaxyDistributed", "GalaxyTraining", "TestSupport"]),
        .testTarget(name: "GalaxyPredictionTests", dependencies: ["GalaxyPrediction", "GalaxyTraining", "GalaxyModels", "GalaxyZoo", "GalaxyNetwork", "GalaxyMock",
                                                                  "GalaxyImaging", "GalaxyKernels", "GalaxyLayers", "GalaxyTensor", "TestSupport"]),
        .testTarget(name: "GalaxyDemoTests", dependencies: ["GalaxyDemo", "GalaxyKernels", "TestSupport"]),
        .testTarget(name: "GalaxyBenchmarksTests", dependencies: ["GalaxyBenchmarks", "GalaxyNetwork", "GalaxyTensor", "GalaxyKernels", "TestSupport"]),
        .testTarget(name: "GalaxyServingTests", dependencies: ["GalaxyServing", "GalaxyPrediction", "GalaxyImaging"]),
        .testTarget(name: "CLITests", dependencies: ["galaxynet", "TestSupport"]),
        // Seeded mutation fuzzing of every file reader (a bounded run in `make test`, a long one in `make fuzz`).
        .testTarget(name: "FuzzTests", dependencies: ["GalaxyCore", "GalaxyTensor", "GalaxyLayers", "GalaxyImaging", "GalaxyFITS", "GalaxyZoo", "GalaxyNetwork", "GalaxyModels", "GalaxyPrediction", "TestSupport"]),
    ]
)
