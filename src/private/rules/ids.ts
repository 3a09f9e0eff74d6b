/** Annotation ids a user can acknowledge (`Annotations.of(scope).acknowledgeWarning(id)`). */
export const WARNING_IDS = {
  extensionLogs: '@clickstack/cdk:extensionLogsReingested',
  plainHttpIngestionKey: '@clickstack/cdk:plainHttpIngestionKey',
  ingestionKeyRegion: '@clickstack/cdk:ingestionKeyRegion',
  otlpPortMismatch: '@clickstack/cdk:otlpPortMismatch',
  apiVersion: '@clickstack/cdk:apiVersionNewer',
  telemetryApiDropped: '@clickstack/cdk:telemetryApiDroppedOnManagedInstances',
} as const;

/** Annotation ids of the runtime notes (src/private/rules/runtime-notes.ts). */
export const RUNTIME_NOTE_IDS = {
  snapStartKey: '@clickstack/cdk:snapStartIngestionKey',
  durable: '@clickstack/cdk:durableExecutionTraces',
  logsNotFlushed: '@clickstack/cdk:sdkLogsNotFlushed',
  blrpNotRead: '@clickstack/cdk:blrpVariablesNotRead',
  protobuf: '@clickstack/cdk:pythonProtobufConflict',
} as const;
