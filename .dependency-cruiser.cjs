// Import rules of CookIM, checked in `npm test` (test/architecture/imports.test.ts) and by
// `npm run lint:imports` (scripts/lint-imports.mjs). The direction the tiers may depend on each
// other: web -> (HTTP/Socket.IO) -> signaling -> storage/media, with the development stand-ins
// reached through one seam. Tests, benches and build scripts may import anything.
/** The product: what runs in production. */
const PRODUCT = '^(signaling|storage|media)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle ties its modules into one unit that cannot be read, tested or loaded apart.',
      from: { path: '^(signaling|storage|media|web/src|standins)/' },
      to: { circular: true },
    },
    {
      name: 'storage-and-media-below-signaling',
      severity: 'error',
      comment: 'storage/ and media/ serve signaling/; they never reach back up into it.',
      from: { path: '^(storage|media)/' },
      to: { path: '^signaling/' },
    },
    {
      name: 'web-shares-only-the-protocol',
      severity: 'error',
      comment: 'The web client talks to the server over HTTP and Socket.IO; from the server side it shares only the protocol types.',
      from: { path: '^web/src/' },
      to: { path: '^(signaling|storage|media|standins|scripts|test|bench)/', pathNot: '^signaling/protocol/' },
    },
    {
      name: 'standins-through-the-seam',
      severity: 'error',
      comment: 'The product reaches the development stand-ins only through standins/index.ts.',
      from: { path: PRODUCT },
      to: { path: '^standins/', pathNot: '^standins/index\\.ts$' },
    },
    {
      name: 'product-never-imports-scripts',
      severity: 'error',
      comment: 'Build and run scripts are tools around the product, not part of it.',
      from: { path: PRODUCT },
      to: { path: '^scripts/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import the cruiser cannot resolve would escape every rule above.',
      from: { path: '^(signaling|storage|media|web/src|standins)/' },
      // vite's virtual modules (web/vite-plugins/) exist only inside the bundler.
      to: { couldNotResolve: true, pathNot: '^virtual:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a circle of types is still a circle a reader has to untangle.
    tsPreCompilationDeps: true,
    // scripts/lint-imports.mjs cruises the server and the web client apart, each with its tsconfig.
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages the way Node and vite do, through their "exports" maps (e.g. mingo/util).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
