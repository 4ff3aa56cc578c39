-- Reports wrk's results as one JSON line, and optionally cycles through a list of requests.
--
-- Arguments after `--`: a file of requests, one per line, "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY"
-- (BODY url-encoded, may be empty). With no file, wrk sends its usual GET with the -H headers.

local requests = {}
local counter = 0

function init(args)
  if args[1] == nil then
    return
  end
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^(%u+)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = { ["Cookie"] = cookie }
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    if body == "" then
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  if #requests == 0 then
    return wrk.request()
  end
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
