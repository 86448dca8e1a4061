-- wrk script for bench/signup_surge's baselines: the method comes from the
-- first argument (GET or POST); prints one RESULT line with the figures.

function init(args)
  wrk.method = args[1] or "GET"
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"per_second":%.1f,"p50_ms":%.1f,"p99_ms":%.1f,' ..
    '"non_2xx":%d,"errors":%d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
