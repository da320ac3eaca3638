import Foundation
import GalaxyCore
import GalaxyNetwork
import GalaxyZoo
import GalaxyTensor
import GalaxyImaging
import GalaxyModels
import GalaxySimilarity

/// An embedding run is a catalogue run whose rows are a hidden layer's activations: the same
/// chunks, parts, provenance, resumption and sharding (`BulkPrediction`), with two differences
/// decided here — which layer the predictor keeps, and a projection fitted on every row when
/// the parts are assembled (the parts keep the activations, so the projection can change on a
/// rerun without predicting again).
extension BulkPrediction {
    /// Points `predictor` at the requested layer and describes the table's columns; an unknown
    /// layer, or a saved projection of other dimensions, is refused by name.
    static func embeddingSchema(_ request: EmbeddingRequest, predictor: inout Predictor) throws -> PredictionSchema {
        let model = predictor.model, layer = request.layer ?? model.hiddenLayerNames.last!
        guard let units = model.hiddenUnits(layer) else {
            throw BulkError(reason: "the model has no layer \"\(layer)\"; its hidden layers are \(model.hiddenLayerNames.joined(separator: ", "))")
        }
        predictor.embeddingLayer = layer
        // Known before any image is read: the fit itself happens only when the table is assembled.
        if case .fit(let k) = request.pca, k > units {
            throw BulkError(reason: "--pca \(k): layer \(layer) has only \(units) units; ask for at most \(units) components")
        }
        var projection: PCA?
        if case .from(let file) = request.pca {
            let pca = try PCA(file: file)
            guard pca.dimensions == units else {
                throw EmbeddingError(file: file, reason: "projects \(pca.dimensions) dimensions, but layer \(layer) has \(units) units; "
                                     + "give the projection fitted on this layer")
            }
            projection = pca
        }
        return PredictionSchema(tree: model.configuration.tree, embedding: EmbeddingColumns(units: units, projection: projection))
    }

    /// The schema and columns the table is written with: as planned, or — when the projection is
    /// to be fitted — with the projection fitted on every part's rows and saved to `job.pcaFile`.
    func assembledSchema(_ parts: [CataloguePart]) throws -> (PredictionSchema, [TableColumn]) {
        guard case .fit(let k)? = job.embedding?.pca, var embedding = schema.embedding else { return (schema, columns) }
        let pca = try PCA.fit(dimensions: embedding.units, components: k, batches: parts.count, backend: predictor.model.backend) {
            try parts[$0].numbers(folder: job.partsFolder, chunk: $0, schema: schema)
        }
        try pca.write(to: job.pcaFile, metadata: ["layer": predictor.embeddingLayer ?? "", "model": provenance.model,
                                                  "fitted_on": provenance.input, "rows": String(parts.reduce(0) { $0 + $1.rows.count })])
        embedding.projection = pca
        let projected = PredictionSchema(tree: schema.tree, embedding: embedding)
        return (projected, Array(columns.prefix(columns.count - schema.columns.count)) + projected.columns)
    }
}

/// One image's embedding made as `embed` makes a table's rows (same layer, views and, when the
/// table was projected, the same saved projection): the query of `similar --image`.
public enum ImageEmbedding {
    /// The vector of `path` through `folder`'s model: layer `layer` (default the last hidden
    /// layer), averaged over `tta`'s views, projected by `projection` when given.
    public static func vector(of path: String, folder: ModelFolder, backend: any Backend, tta: TestTimeAugmentation, layer: String?,
                              projection: PCA?, reader: ImageReader = .standard) throws -> [Float] {
        var predictor = try Predictor(folder: folder, backend: backend, tta: tta)
        let name = layer ?? predictor.model.hiddenLayerNames.last!
        guard let units = predictor.model.hiddenUnits(name) else {
            throw BulkError(reason: "the model has no layer \"\(name)\"; its hidden layers are \(predictor.model.hiddenLayerNames.joined(separator: ", "))")
        }
        if let projection, projection.dimensions != units {
            throw EmbeddingError(file: "the projection", reason: "projects \(projection.dimensions) dimensions, but layer \(name) has \(units) units")
        }
        predictor.embeddingLayer = name
        guard let prediction = try predictor.predictions(paths: [path], reader: reader).first?.get(), let embedding = prediction.embedding else {
            preconditionFailure("ImageEmbedding: a prediction without its embedding")
        }
        return projection.map { $0.project(embedding[...]) } ?? embedding
    }
}
