// Unit and infra tests: the code's own log and metric lines stay out of the test output (a test that
// reads them turns them on with test/unit/log-capture.ts), and so does the SDK's notice about Node 20.
process.env.LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
