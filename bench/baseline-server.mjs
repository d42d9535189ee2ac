// The yardstick for the redirect: the least work Node can do to answer a 302 on a kept-alive
// connection. Run as its own process, like `vouch serve`, so both share the machine the same way.
import { createServer } from 'node:http';

const location = 'https://example.com/landing?vouch_ref=BASELINE';
createServer((_req, res) => {
  res.writeHead(302, { location, 'content-length': '0' });
  res.end();
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
