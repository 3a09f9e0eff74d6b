import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigDelivery } from '../../delivery';
import { describeCode } from '../code-asset';
import { BUNDLED_CONFIG_URI, compactConfig, CONFIG_ENV, CONFIG_FILE, ENV_CONFIG_URI, LAYER_CONFIG_URI } from '../config-files';
import { Draft, PlannedDelivery, Refusal } from '../plan-model';
import { stackFacts } from '../stack-facts';
import { MAX_LAYERS } from './environment';

const NONE: Readonly<Record<string, string>> = {};

/**
 * Rule: where the collector configuration goes, as `configDelivery` asks (src/delivery.ts).
 * `AUTO` picks the config layer, which uploads nothing but a small file (docs/config-delivery.md
 * has the measured cost of each mode); where the function's own layers are known to leave no
 * slot for it, the bundle for a local directory asset and the environment otherwise, which take
 * none. Refused: `BUNDLE` for code that is not a local directory asset, a bundle that already has
 * a `collector.yaml` of its own (never overwritten), `ENVIRONMENT` where the function sets the
 * variable itself.
 */
export function deliveryRule(fn: lambda.Function, draft: Draft, configYaml: string): PlannedDelivery | Refusal {
  const mode = draft.settings.configDelivery;
  const layer: PlannedDelivery = { kind: 'layer', configUri: LAYER_CONFIG_URI, environment: NONE };
  if (mode === ConfigDelivery.ENVIRONMENT.mode) return inEnvironment(draft, configYaml);
  if (mode === ConfigDelivery.LAYER.mode) return layer;
  if (mode === ConfigDelivery.BUNDLE.mode) return inBundle(fn, draft);
  // AUTO. The function's own layers are known before synth on the aws-cdk-lib releases that let
  // them be read then (rules/existing.ts, `canReadLayersEarly`); elsewhere a slot is assumed, and
  // Lambda's budget is checked at synth with every layer known (src/private/apply.ts), naming
  // ConfigDelivery.BUNDLE and ENVIRONMENT as the fix.
  const own = draft.ownLayers();
  const ours = (draft.language ? 1 : 0) + 1;
  if (own === undefined || own.length + ours + 1 <= MAX_LAYERS) return layer;
  return draft.code() ? inBundle(fn, draft) : inEnvironment(draft, configYaml);
}

/** `collector.yaml` in a variable, unless the function sets that variable itself. */
function inEnvironment(draft: Draft, configYaml: string): PlannedDelivery | Refusal {
  if (CONFIG_ENV in draft.environment()) {
    return { kind: 'conflict', why: `it already sets ${CONFIG_ENV}, where ConfigDelivery.ENVIRONMENT puts the collector configuration; rename your variable, or use ConfigDelivery.BUNDLE or LAYER` };
  }
  return { kind: 'environment', configUri: ENV_CONFIG_URI, environment: { [CONFIG_ENV]: compactConfig(configYaml) } };
}

/** `collector.yaml` in the function's code bundle, which must be a local directory without one. */
function inBundle(fn: lambda.Function, draft: Draft): PlannedDelivery | Refusal {
  const code = draft.code();
  if (!code) {
    return { kind: 'conflict', why: `configDelivery is ConfigDelivery.BUNDLE, but its code is ${describeCode(fn)}: only a local directory asset can carry ${CONFIG_FILE}; use ConfigDelivery.LAYER or ConfigDelivery.ENVIRONMENT (or AUTO) for it` };
  }
  // Never overwrite a file of the user's bundle. (A stack whose bundling is skipped, such as one
  // not selected by `cdk deploy`, has no bundle to look at: its staged path is the source.)
  const existing = path.join(code.staging.absoluteStagedPath, CONFIG_FILE);
  if (stackFacts(fn).bundlingRequired && exists(existing)) {
    const source = path.join(code.staging.sourcePath, CONFIG_FILE);
    const where = exists(source) && source !== existing ? `${source}, staged as ${existing}` : existing;
    return { kind: 'userFile', why: `its code bundle already has a ${CONFIG_FILE} at its root (${where}), where the instrumentation would put the collector configuration; set configDelivery to ConfigDelivery.LAYER or ConfigDelivery.ENVIRONMENT, or rename your file` };
  }
  return { kind: 'bundle', configUri: BUNDLED_CONFIG_URI, environment: NONE };
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
