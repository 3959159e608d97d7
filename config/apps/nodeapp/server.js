'use strict';
// opsbot demo app: GET / counts and returns visits stored in mongo; GET /health answers 200 while the
// process runs and reports whether mongo is reachable, so Marathon does not kill nodeapp for mongo's faults.
const http = require('http');

const port = Number(process.env.PORT || 3000);
const mongoUrl = process.env.MONGO_URL || 'mongodb://mongo.weave.local:27017/nodeapp';
// Bounded waits: a request never hangs on an unreachable mongo.
const mongoTimeoutMs = Number(process.env.MONGO_TIMEOUT_MS || 2000);

let MongoClient = null;
let driverError = null;
try {
  ({ MongoClient } = require('mongodb'));
} catch (err) {
  driverError = `mongodb driver not installed: ${err.message}`;
}

let client = null;

async function visits() {
  if (!MongoClient) throw new Error(driverError);
  if (!client) {
    client = new MongoClient(mongoUrl, {
      serverSelectionTimeoutMS: mongoTimeoutMs,
      connectTimeoutMS: mongoTimeoutMs,
    });
  }
  await client.connect();
  return client.db().collection('visits');
}

async function countVisit() {
  const collection = await visits();
  const result = await collection.findOneAndUpdate(
    { _id: 'counter' },
    { $inc: { count: 1 } },
    { upsert: true, returnDocument: 'after' },
  );
  // Driver 6 returns the document, older ones wrap it in { value }.
  const doc = result && result.value !== undefined ? result.value : result;
  return doc.count;
}

async function mongoStatus() {
  try {
    const collection = await visits();
    await collection.db.command({ ping: 1 });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err.message };
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  const path = (req.url || '/').split('?')[0];
  try {
    if (req.method === 'GET' && path === '/health') {
      const mongo = await mongoStatus();
      send(res, 200, { ok: true, mongo });
    } else if (req.method === 'GET' && path === '/') {
      try {
        const count = await countVisit();
        send(res, 200, { visits: count, host: process.env.HOSTNAME || null });
      } catch (err) {
        send(res, 503, { error: `mongo unavailable: ${err.message}` });
      }
    } else {
      send(res, 404, { error: `no route ${req.method} ${path}` });
    }
  } catch (err) {
    send(res, 500, { error: err.message });
  }
});

server.listen(port, () => console.log(`nodeapp listening on port ${port}, mongo at ${mongoUrl}`));

function shutdown(signal) {
  console.log(`nodeapp: ${signal}, shutting down`);
  server.close(() => {
    const done = () => process.exit(0);
    if (client) client.close().then(done, done); else done();
  });
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
