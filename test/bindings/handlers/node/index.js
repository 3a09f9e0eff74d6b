// The Node.js function of the bindings app (test/bindings): only synthesized, never run.
exports.handler = async () => ({ statusCode: 200, body: 'ok' });
