-- wrk script for bench/serve-load.sh: every request POSTs the same inference request, one image
-- file as BYTES in Triton's binary-data form (the body file and its JSON header's length are
-- made by the shell script and given in the environment).
wrk.method = "POST"
wrk.path = os.getenv("INFER_PATH")
local f = assert(io.open(os.getenv("INFER_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = os.getenv("INFER_HEADER_LENGTH")

local failures = 0
function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end
