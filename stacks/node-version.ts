/**
 * The one Node.js major of the project: Lambda's runtime, the bundler's target, `engines`, and the
 * `node` devDependency that npm scripts (tests, `npm start`, synth) run on. Kept free of CDK
 * imports so the test setup can read it cheaply.
 */
export const NODE_MAJOR = 24;
