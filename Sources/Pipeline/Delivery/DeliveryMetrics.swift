import Metrics

/// One destination's Prometheus series: events delivered, skipped (empty table name) and sent to fallback, the
/// events waiting on a retry, and how far behind the log the destination is.
struct DeliveryMetrics {
    let delivered: Counter
    let skipped: Counter
    let failed: Counter
    /// Events in the batch being retried after the destination was unreachable.
    let retryBacklog: Gauge
    /// Records of the log not yet committed by this destination.
    let lagEvents: Gauge
    /// Age of the oldest uncommitted event, in seconds (0 when caught up).
    let lagSeconds: Gauge

    init(destination: String) {
        let dimensions = [("destination", destination)]
        delivered = Counter(label: "rivulet_destination_events_total", dimensions: dimensions + [("outcome", "delivered")])
        skipped = Counter(label: "rivulet_destination_events_total", dimensions: dimensions + [("outcome", "skipped")])
        failed = Counter(label: "rivulet_destination_events_total", dimensions: dimensions + [("outcome", "fallback")])
        retryBacklog = Gauge(label: "rivulet_destination_retry_backlog", dimensions: dimensions)
        lagEvents = Gauge(label: "rivulet_destination_lag_events", dimensions: dimensions)
        lagSeconds = Gauge(label: "rivulet_destination_lag_seconds", dimensions: dimensions)
    }
}
