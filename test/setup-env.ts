// Tests must never talk to a real vendor: anything not intercepted by nock or served on
// loopback fails fast.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
