-- wrk script for bench/signup_surge: POST /api/join with a unique body and
-- Idempotency-Key per request, built from a run id, the thread's number and a
-- counter. Each thread sends its quota, waits for every answer, records the
-- reference of each 201 in OUT/refs-<thread>.txt, writes OUT/done-<thread> and
-- stops. Arguments (after --): postcodes file, quota per thread, OUT dir, run id.

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
  sent, answered, ok, refused, finished = 0, 0, 0, 0, false
  refs = io.open(out .. "/refs-" .. id .. ".txt", "w")
  failures = io.open(out .. "/failures-" .. id .. ".txt", "w")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
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

-- Once the quota is sent, connections stay idle until the thread stops.
function delay()
  if sent >= quota then return 3600000 end
  return 0
end

function response(status, headers, body)
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
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local ok_total, answered_total, sent_total = 0, 0, 0
  local per_thread = {}
  for _, t in ipairs(threads) do
    table.insert(per_thread, string.format("[%d,%d,%d]", t:get("sent"), t:get("answered"),
                                           t:get("ok")))
    ok_total = ok_total + t:get("ok")
    answered_total = answered_total + t:get("answered")
    sent_total = sent_total + t:get("sent")
  end
  io.write(string.format(
    'RESULT {"ok":%d,"answered":%d,"sent":%d,"p50_ms":%.1f,"p99_ms":%.1f,' ..
    '"max_ms":%.1f,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"timeouts":%d,"status_errors":%d,"threads":[%s]}\n',
    ok_total, answered_total, sent_total, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, table.concat(per_thread, ",")))
end
