-- wrk reporter: one JSON line with throughput inputs and latency percentiles (microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "bytes": %d, "socket_errors": %d, ' ..
    '"non_2xx_3xx": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
