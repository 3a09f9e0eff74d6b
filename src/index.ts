export * from './options';
export * from './delivery';
export * from './ingestion-key';
export * from './layers/releases';
export * from './instrumentation';
export * from './aspect';
