import Foundation
import Prometheus

/// What a server has done, in the Prometheus text format (swift-prometheus): requests by status
/// code, errors by status code, inference latency, images served and the sizes of the batches
/// the network ran.
public final class ServingMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let latency: DurationHistogram, batches: ValueHistogram, images: Counter

    static var requests: MetricNameDescriptor { .init(namespace: "galaxynet", metricName: "requests", unitName: "total", helpText: "HTTP requests answered, by status code") }
    static var errors: MetricNameDescriptor { .init(namespace: "galaxynet", metricName: "errors", unitName: "total", helpText: "Requests answered with an error, by status code") }

    public init() {
        latency = registry.makeDurationHistogram(descriptor: .init(namespace: "galaxynet", metricName: "inference_duration", unitName: "seconds",
                                                                   helpText: "Time from an inference request's arrival to its response, in seconds"),
                                                 buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                           .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)])
        batches = registry.makeValueHistogram(descriptor: .init(namespace: "galaxynet", metricName: "batch", unitName: "images",
                                                                helpText: "Images per forward batch of the dynamic batcher"),
                                              buckets: [1, 2, 4, 8, 16, 32, 64, 128])
        images = registry.makeCounter(descriptor: .init(namespace: "galaxynet", metricName: "images", unitName: "total", helpText: "Images predicted"))
    }

    /// A request answered (any route), by status code.
    func answered(status: Int) {
        registry.makeCounter(descriptor: Self.requests, labels: [("code", String(status))]).increment()
    }

    /// A request refused or failed, by status code (also counted as answered).
    func failed(status: Int) {
        answered(status: status)
        registry.makeCounter(descriptor: Self.errors, labels: [("code", String(status))]).increment()
    }

    func served(images count: Int, seconds: Duration) {
        latency.record(seconds)
        images.increment(by: Int64(count))
    }

    /// A forward batch of `count` images.
    public func batch(_ count: Int) { batches.record(Double(count)) }

    public func text() -> [UInt8] { registry.emitToBuffer() }
}
