// Reads a JSON-LD file with jsonld.js and prints its triples as N-Quads on stdout.
// Offline: any remote context is refused, so the document must carry its own.
// Safe mode (every key must be read into RDF) unless --keys-may-be-ignored is given, for a
// document whose context maps some keys to null on purpose.
'use strict';
const fs = require('fs');
const jsonld = require('jsonld');

async function refuseRemote(url) {
  const message = `refusing to load a remote document: ${url}`;
  process.stderr.write(`${message}\n`);  // jsonld.js wraps the error in its own
  throw new Error(message);
}

async function main() {
  const args = process.argv.slice(2);
  const safe = !args.includes('--keys-may-be-ignored');
  const path = args.filter((arg) => !arg.startsWith('--'))[0];
  const document = JSON.parse(fs.readFileSync(path, 'utf8'));
  const nquads = await jsonld.toRDF(document, {
    format: 'application/n-quads',
    documentLoader: refuseRemote,
    safe,
  });
  process.stdout.write(nquads);
}

main().catch((error) => {
  process.stderr.write(`${error.message || error}\n`);
  process.exit(1);
});
