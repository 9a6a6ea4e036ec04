import { buildApp } from './build.js';

// Entry of `cdk synth` (cdk.json "app"): `npm run synth -- -c environment=prod`.
buildApp().app.synth();
