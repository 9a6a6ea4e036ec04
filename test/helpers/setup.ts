import '../../lib/local/polyfills.js';

// The AWS SDK warns on every client creation under Node 20; the functions target Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
