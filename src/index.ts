export * from './options';
export * from './ingestion-key';
export * from './layers/releases';
export * from './instrumentation';
export * from './aspect';
