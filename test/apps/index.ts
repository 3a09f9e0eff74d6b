export * from './harness';
export * from './pipelines-app';
export * from './edge-site';
export * from './custom-resources-app';
export * from './nested-stacks-app';
export * from './stages-app';
export * from './already-instrumented-app';
export * from './datadog-app';
