-- Copied from /work/shared/peers/hrm/ (the HRM side-by-side load driver of 2026-12-02, written
-- for hotline, not part of HRM); used by bench/hrm_side_by_side.py.
dofile("common.lua")
local token = os.getenv("HOTLINE_TOKEN")
local tmpl = [[{"line": "111", "area": "tan-canh", "urgency": "high", "caller": {"phone": "0%s%07d", "relation": "neighbour"}, "people": [{"age": 9, "sex": "female"}], "narrative": "Hàng xóm báo bé gái 9 tuổi nhà bên bị cha dượng đánh đập gần như mỗi đêm; có vết bầm trên tay; bé sợ không dám về nhà."}]]
function request()
  local n = next_id()
  local body = string.format(tmpl, run, n)
  return wrk.format("POST", nil, {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. token, ["Idempotency-Key"]=string.format("bench-%s-%07d", run, n)}, body)
end
