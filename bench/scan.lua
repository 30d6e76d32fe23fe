-- wrk script: GET <prefix><random serial from a sample file>.
-- usage: wrk -s bench/scan.lua URL -- /t/ [serials file]
--        (or /api/v1/scan/, or "" for a fixed path; the file defaults to
--        bench/data/serials.txt, bench/load.py's sample)
-- Each scan request comes from a new phone (X-Forwarded-For; the bench runs
-- the server with SUYUAN_NUM_PROXIES=1), so every scan counts once.
local serials = {}
local prefix = ""
local phone = 0
function init(args)
  prefix = args[1] or ""
  if prefix ~= "" then
    for line in io.lines(args[2] or "bench/data/serials.txt") do
      serials[#serials + 1] = line
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  phone = math.random(0, 2 ^ 24)
end
request = function()
  if prefix == "" then
    return wrk.format("GET", nil)
  end
  phone = phone + 1
  local floor = math.floor
  local address = string.format("10.%d.%d.%d", floor(phone / 65536) % 256, floor(phone / 256) % 256, phone % 256)
  return wrk.format("GET", prefix .. serials[math.random(1, #serials)], {["X-Forwarded-For"] = address})
end
