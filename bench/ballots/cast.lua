-- wrk script for bench/ballots: POST /api/elections/<slug>/ballots, one distinct
-- voting code per request. Thread <n> reads its codes from CODES/codes-<n>.txt
-- (one a line, written by ballots.py), sends each once with a ranking of one to
-- four of the candidates, records the tracker of each 201 in OUT/trackers-<n>.txt
-- and, once every code it sent is answered, writes OUT/done-<n>; the driver stops
-- wrk when every thread is done (or nothing is answered for a while).
-- Arguments (after --): CODES dir, OUT dir, election slug, candidate ids (1,2,3,4).
--
-- After its codes a connection sends GET /api/bench/trivial ("fillers") until
-- wrk is stopped, as bench/signup_surge/join.lua does and for the same reason:
-- an idle connection would hold a gunicorn sync worker for its whole timeout.
-- The casts' p50 and p99 are read from wrk's histogram of every request as if
-- every filler were faster than those percentiles (were any slower, the casts'
-- true figures would be lower than printed, never higher).

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  for line in io.lines(args[1] .. "/codes-" .. id .. ".txt") do
    if #line > 0 then table.insert(codes, line) end
  end
  out = args[2]
  path = "/api/elections/" .. args[3] .. "/ballots"
  candidates = {}
  for c in string.gmatch(args[4], "%d+") do table.insert(candidates, c) end
  quota = #codes
  sent, answered, ok, refused, finished, fillers = 0, 0, 0, 0, false, 0
  trackers = io.open(out .. "/trackers-" .. id .. ".txt", "w")
  failures = io.open(out .. "/failures-" .. id .. ".txt", "w")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if quota == 0 then finish() end
end

function finish()
  finished = true
  trackers:close()
  failures:close()
  local done = io.open(out .. "/done-" .. id, "w")
  done:write(ok, "\n")
  done:close()
end

function request()
  if sent >= quota then
    return wrk.format("GET", "/api/bench/trivial", {}, "")
  end
  sent = sent + 1
  -- One to four preferences, rotating the first choice.
  local n = sent + id
  local ranking = {}
  for k = 1, 1 + n % #candidates do
    table.insert(ranking, candidates[(n + k) % #candidates + 1])
  end
  local body = string.format('{"credential":"%s","ranking":[%s]}', codes[sent],
                             table.concat(ranking, ","))
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  if status == 200 and body == '{"ok":true}' then
    fillers = fillers + 1
    return
  end
  answered = answered + 1
  if status == 201 then
    ok = ok + 1
    trackers:write(body:match('"tracker": ?"([%w%-]+)"'), "\n")
    -- The driver watches these files to see progress (and a stall).
    if ok % 20 == 0 or sent >= quota then trackers:flush() end
  else
    refused = refused + 1
    if refused <= 20 then failures:write(status, " ", body, "\n") end
  end
  if sent >= quota and answered >= sent and not finished then finish() end
end

function done(summary, latency, requests)
  local ok_total, answered_total, sent_total, fillers_total = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    ok_total = ok_total + t:get("ok")
    answered_total = answered_total + t:get("answered")
    sent_total = sent_total + t:get("sent")
    fillers_total = fillers_total + t:get("fillers")
  end
  local timed = math.max(answered_total + fillers_total, 1)
  local function casts_at(q)
    return latency:percentile(math.min((fillers_total + q * answered_total) / timed * 100,
                                       100)) / 1000
  end
  io.write(string.format(
    'RESULT {"ok":%d,"answered":%d,"sent":%d,"fillers":%d,"p50_ms":%.1f,"p99_ms":%.1f,' ..
    '"max_ms":%.1f,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"timeouts":%d,"status_errors":%d}\n',
    ok_total, answered_total, sent_total, fillers_total, casts_at(0.5), casts_at(0.99),
    latency.max / 1000, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status))
end
