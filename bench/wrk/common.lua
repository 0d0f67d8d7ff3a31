-- Copied from /work/shared/peers/hrm/ (the HRM side-by-side load driver of 2026-12-02, written
-- for hotline, not part of HRM); used by bench/hrm_side_by_side.py.
-- shared: bounded count per thread (wrk.thread:stop after LIMIT responses), JSON summary at the end
local responses, limit = 0, 3000
run, tag = "0", "000"
counter = 0 -- requests sent by this thread (a global, so that done() can read it from setup's thread)
local threads = {}
function setup(thread) table.insert(threads, thread) end
-- args: run id (part of phone numbers and keys), count limit, tag (3 digits: one bench invocation,
-- so that a second invocation against the same HRM database makes new taskIds)
function init(args)
  run = args[1] or "0"
  limit = tonumber(args[2] or "3000")
  tag = args[3] or "000"
end
local ffi = require("ffi")
ffi.cdef[[ int getpid(void); long syscall(long number, ...); ]]
-- wrk's main thread sleeps for -d; at the count limit this thread stops and sends SIGINT to the
-- main thread (tgkill, main tid == pid), whose handler ends the sleep, so the run and its
-- duration end at the count limit (the -d stays as the time bound).
function response(status, headers, body)
  responses = responses + 1
  if responses == limit then
    wrk.thread:stop()
    local pid = ffi.C.getpid()
    ffi.C.syscall(234, ffi.cast("long", pid), ffi.cast("long", pid), ffi.cast("long", 2))
  end
end
function next_id() counter = counter + 1; return counter end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  -- sent - requests = the requests still in flight when wrk stopped (the server answers them later)
  local sent = -1 -- wrk calls the first thread's request() once to check it, before the run
  for _, thread in ipairs(threads) do sent = sent + thread:get("counter") end
  io.write(string.format('RESULT {"requests":%d,"sent":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f,"status_errors":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, sent, secs, summary.requests / secs, latency:percentile(50)/1000, latency:percentile(90)/1000,
    latency:percentile(99)/1000, latency.max/1000, latency.mean/1000, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
