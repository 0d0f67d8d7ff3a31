// Copied from /work/shared/peers/hrm/ (the HRM side-by-side notes of 2026-12-02, written for
// hotline, not part of HRM); used by bench/peers/hrm_up.sh and bench/hrm_side_by_side.py.
// Preloaded with `node -r`: replaces the Twilio Flex token check (an HTTPS POST to
// iam.twilio.com/v1/Accounts/<sid>/Tokens/validate on every request) with a local answer,
// as HRM's own service tests do with a mockttp proxy (packages/testing/mock-twilio-auth-endpoint.ts).
const path = require.resolve('twilio-flex-token-validator', { paths: [process.env.HRM_DIR + '/packages/twilio-worker-auth'] });
const mod = require(path);
mod.validator = async (token, accountSid, authToken) => {
  if (!token || !accountSid || !authToken) throw 'Unauthorized';
  if (token !== process.env.STUB_TWILIO_TOKEN) throw 'Unauthorized: invalid token';
  return { worker_sid: 'WKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', roles: ['agent'], valid: true };
};
console.log('[stub-twilio] twilio-flex-token-validator replaced by a local check');
