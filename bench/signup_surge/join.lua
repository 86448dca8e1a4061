-- wrk script for bench/signup_surge: POST /api/join with a unique body and
-- Idempotency-Key per request, built from a run id, the thread's number and a
-- counter. Each thread sends its quota, records the reference of each 201 in
-- OUT/refs-<thread>.txt and, once every sign-up it sent is answered, writes
-- OUT/done-<thread>; the driver stops wrk when every thread is done.
-- Arguments (after --): postcodes file, quota per thread, OUT dir, run id.
--
-- After its quota a connection sends GET /api/bench/trivial ("fillers") until
-- wrk is stopped, rather than sit idle or stop: gunicorn closes the connection
-- after every answer and wrk reconnects at once, and a sync worker that accepts
-- a connection on which nothing comes waits on it for its whole timeout, while
-- the sign-ups queued behind it wait too. (That is how earlier versions left a
-- few sign-ups stored after wrk had given up on them.) Fillers are counted
-- apart, and the sign-ups' p50 and p99 are read from wrk's histogram of every
-- request as if every filler (a trivial view, sent as the load ends) were
-- faster than those percentiles; were any slower, the sign-ups' true figures
-- would be lower than printed, never higher.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  postcodes = {}
  for line in io.lines(args[1]) do
    local pc = line:match("^([A-Z0-9]+ [0-9][A-Z][A-Z]),")
    if pc then table.insert(postcodes, pc) end
  end
  quota = tonumber(args[2])
  out = args[3]
  run = args[4]
  sent, answered, ok, refused, finished, fillers = 0, 0, 0, 0, false, 0
  refs = io.open(out .. "/refs-" .. id .. ".txt", "w")
  failures = io.open(out .. "/failures-" .. id .. ".txt", "w")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if sent >= quota then
    return wrk.format("GET", "/api/bench/trivial", {}, "")
  end
  sent = sent + 1
  local n = sent
  local key = string.format("bench-%s-%d-%d", run, id, n)
  local body = string.format(
    '{"category":"registered_supporter","first_name":"Surge%d","last_name":"Joiner%d",' ..
    '"email":"s%s-%d-%d@bench.invalid","postcode":"%s","date_of_birth":"19%02d-%02d-%02d",' ..
    '"consent":true}',
    id, n, run, id, n, postcodes[(n * 7 + id) % #postcodes + 1],
    40 + n % 60, 1 + n % 12, 1 + n % 28)
  return wrk.format(nil, "/api/join", {["Idempotency-Key"] = key}, body)
end

function response(status, headers, body)
  if status == 200 and body == '{"ok":true}' then
    fillers = fillers + 1
    return
  end
  answered = answered + 1
  if status == 201 then
    ok = ok + 1
    refs:write(body:match('"reference": ?"(RF%-[%w]+)"'), "\n")
    -- The driver watches these files to see progress (and a stall).
    if ok % 20 == 0 or sent >= quota then refs:flush() end
  else
    refused = refused + 1
    if refused <= 20 then failures:write(status, " ", body, "\n") end
  end
  if sent >= quota and answered >= sent and not finished then
    finished = true
    refs:close()
    failures:close()
    local done = io.open(out .. "/done-" .. id, "w")
    done:write(ok, "\n")
    done:close()
  end
end

function done(summary, latency, requests)
  local ok_total, answered_total, sent_total, fillers_total = 0, 0, 0, 0
  local per_thread = {}
  for _, t in ipairs(threads) do
    table.insert(per_thread, string.format("[%d,%d,%d]", t:get("sent"), t:get("answered"),
                                           t:get("ok")))
    ok_total = ok_total + t:get("ok")
    answered_total = answered_total + t:get("answered")
    sent_total = sent_total + t:get("sent")
    fillers_total = fillers_total + t:get("fillers")
  end
  -- wrk timed every answered request: the sign-ups and the fillers.
  local timed = math.max(answered_total + fillers_total, 1)
  local function joins_at(q)
    return latency:percentile(math.min((fillers_total + q * answered_total) / timed * 100,
                                       100)) / 1000
  end
  io.write(string.format(
    'RESULT {"ok":%d,"answered":%d,"sent":%d,"fillers":%d,"p50_ms":%.1f,"p99_ms":%.1f,' ..
    '"max_ms":%.1f,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"timeouts":%d,"status_errors":%d,"threads":[%s]}\n',
    ok_total, answered_total, sent_total, fillers_total, joins_at(0.5),
    joins_at(0.99), latency.max / 1000, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, table.concat(per_thread, ",")))
end
