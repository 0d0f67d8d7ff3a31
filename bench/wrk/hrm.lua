-- Copied from /work/shared/peers/hrm/ (the HRM side-by-side load driver of 2026-12-02, written
-- for hotline, not part of HRM); used by bench/hrm_side_by_side.py.
dofile("common.lua")
local token = os.getenv("STUB_TWILIO_TOKEN")
local tmpl = [[{"rawJson":{"callType":"Someone calling about a child","childInformation":{"firstName":"Lerato","lastName":"M","gender":"Girl","age":"9","language":"English","nationality":"South African","ethnicity":"","streetAddress":"","city":"Soweto","stateOrCounty":"Gauteng","postalCode":"","phone1":"","phone2":"","refugee":false},"callerInformation":{"firstName":"Neighbour","lastName":"","relationshipToChild":"Neighbour","gender":"Female","age":"30-40","language":"English","nationality":"South African","ethnicity":"","city":"Soweto","phone1":"","phone2":"","postalCode":"","stateOrCounty":"Gauteng","streetAddress":""},"categories":{"Abuse":["Physical abuse","Emotional abuse"]},"caseInformation":{"callSummary":"Caller reports that the 9-year-old girl next door is beaten by her stepfather most nights; visible bruises on arms; child afraid to go home.","referredTo":"","status":"","keepConfidential":true,"okForCaseWorkerToCall":true,"howDidTheChildHearAboutUs":"","didYouDiscussRightsWithTheChild":false,"didTheChildFeelWeSolvedTheirProblem":false,"wouldTheChildRecommendUsToAFriend":false}},"twilioWorkerId":"WKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","helpline":"Childline","queueName":"Admin","number":"+27%s%s%07d","channel":"voice","conversationDuration":420,"taskId":"WTbench%s%s%07d","definitionVersion":"za-v1"}]]
function request()
  local n = next_id()
  local body = string.format(tmpl, tag, run, n, tag, run, n)
  return wrk.format("POST", nil, {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. token}, body)
end
