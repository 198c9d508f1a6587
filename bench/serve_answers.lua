-- serve_answers.lua — wrk script of bench/serve_bench.sh: every request
-- POSTs one new answer (a distinct response_id per thread and request) to
-- /api/v1/responses, the durable answer path of `cxmeter serve`: the reply
-- (201) comes only after the answer's transaction has committed.
-- Usage: wrk ... -s serve_answers.lua URL -- TOKEN PREFIX
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  prefix = args[2] or "b"
  n = 0
  bad = 0
  headers = { ["Authorization"] = "Bearer " .. token,
              ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  local body = string.format(
    '{"response_id":"%s-%d-%d","survey":"nps","score":%d,' ..
    '"responded_at":"2026-05-01T12:00:00Z","channel":"web","language":"fi"}',
    prefix, tid, n, n % 11)
  return wrk.format("POST", "/api/v1/responses", headers, body)
end

function response(status, hdrs, body)
  if status ~= 201 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
  end
  io.write(string.format("not_201 %d\n", b))
end
