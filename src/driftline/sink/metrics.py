"""Prometheus metrics of the sink (one registry per sink, so tests can run several)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class SinkMetrics:
    """Counters, gauges and histograms served on /metrics."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "driftline_sink_events_received", "Events acknowledged, by kind.", ["kind"], registry=r
        )
        self.rejected = Counter(
            "driftline_sink_events_rejected", "Requests refused, by reason.", ["reason"], registry=r
        )
        self.written = Counter(
            "driftline_sink_events_written", "Events in committed Parquet batches.", registry=r
        )
        self.rows = Counter("driftline_sink_rows_written", "Rows committed.", registry=r)
        self.pending = Gauge(
            "driftline_sink_pending_pairs", "Calls waiting for their other side.", registry=r
        )
        self.flush_seconds = Histogram(
            "driftline_sink_batch_seconds",
            "Time to write, commit and publish one batch.",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.wal_seconds = Histogram(
            "driftline_sink_wal_commit_seconds",
            "Time to make a group of events durable in the write-ahead log.",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5),
            registry=r,
        )
        self.publish_failures = Counter(
            "driftline_sink_publish_failures", "Failed uploads (retried).", registry=r
        )
