-- wrk script: GET <prefix><random serial from bench/data/serials.txt>.
-- usage: wrk -s bench/scan.lua URL -- /t/      (or /api/v1/scan/, or "" for a fixed path)
local serials = {}
local prefix = ""
function init(args)
  prefix = args[1] or ""
  if prefix ~= "" then
    for line in io.lines("bench/data/serials.txt") do
      serials[#serials + 1] = line
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
request = function()
  if prefix == "" then
    return wrk.format("GET", nil)
  end
  return wrk.format("GET", prefix .. serials[math.random(1, #serials)])
end
