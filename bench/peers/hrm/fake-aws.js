// Copied from /work/shared/peers/hrm/ (the HRM side-by-side notes of 2026-12-02, written for
// hotline, not part of HRM); used by bench/peers/hrm_up.sh and bench/hrm_side_by_side.py.
// Minimal local SSM (awsJson1_1) + SNS (awsQuery) endpoint on 127.0.0.1, for HRM.
const http = require('http');
const crypto = require('crypto');
const params = JSON.parse(process.env.FAKE_SSM_PARAMS || '{}');
let publishes = 0, ssmGets = 0, other = 0;
http.createServer((req, res) => {
  let body = '';
  req.on('data', d => (body += d));
  req.on('end', () => {
    const target = req.headers['x-amz-target'] || '';
    if (target === 'AmazonSSM.GetParameter') {
      ssmGets++;
      const { Name } = JSON.parse(body || '{}');
      if (Name in params) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        return res.end(JSON.stringify({ Parameter: { Name, Value: params[Name], Type: 'String', Version: 1 } }));
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ParameterNotFound' });
      return res.end(JSON.stringify({ __type: 'ParameterNotFound', message: `${Name} not found` }));
    }
    if (body.includes('Action=Publish')) {
      publishes++;
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${crypto.randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
    }
    if (req.url === '/__stats') { res.writeHead(200); return res.end(JSON.stringify({ publishes, ssmGets, other })); }
    other++;
    console.log('unhandled', req.method, req.url, target, body.slice(0, 200));
    res.writeHead(400, { 'x-amzn-errortype': 'InvalidAction' });
    res.end('{}');
  });
}).listen(Number(process.env.FAKE_AWS_PORT || 4566), '127.0.0.1', () => console.log('fake-aws on 127.0.0.1:' + (process.env.FAKE_AWS_PORT || 4566)));
