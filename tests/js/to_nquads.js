// Reads a JSON-LD file with jsonld.js and prints its triples as N-Quads on stdout.
// Offline: any remote context is refused, so the document must carry its own.
'use strict';
const fs = require('fs');
const jsonld = require('jsonld');

async function refuseRemote(url) {
  const message = `refusing to load a remote document: ${url}`;
  process.stderr.write(`${message}\n`);  // jsonld.js wraps the error in its own
  throw new Error(message);
}

async function main() {
  const document = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const nquads = await jsonld.toRDF(document, {
    format: 'application/n-quads',
    documentLoader: refuseRemote,
    safe: true,
  });
  process.stdout.write(nquads);
}

main().catch((error) => {
  process.stderr.write(`${error.message || error}\n`);
  process.exit(1);
});
