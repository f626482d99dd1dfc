-- The tight client loop of the switch test. Each wrk thread has one connection, so its requests
-- and responses alternate; every request carries its send time (?t=, microseconds since the
-- epoch), and every response is written as "<t> <status>" to <prefix>-<thread>.log.
-- Usage: wrk -t2 -c2 -s switch.lua URL -- <prefix>
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(0, clock) -- CLOCK_REALTIME, the clock bash's EPOCHREALTIME reads
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local out, sent, pending = nil, 0, 0
function init(args)
  out = assert(io.open(string.format("%s-%d.log", args[1], id), "w"))
end

function request()
  sent = now_us()
  return wrk.format("GET", string.format("%s?t=%d", wrk.path, sent))
end

function response(status, _, _)
  out:write(string.format("%d %d\n", sent, status))
  pending = pending + 1
  if pending >= 64 then
    out:flush()
    pending = 0
  end
end
